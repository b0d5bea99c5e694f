"""What counts as personal data, and how it is masked for display and erased for retention.

Pure functions, no database: every response, page and export masks through these, so a masked
e-mail looks the same wherever it appears (``j***@e***.com``), and the scanner that finds
e-mails and phone numbers in free text is tested once, here, against the numbers it must leave
alone (dates, case keys, ids, prices).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

ERASED = "[erased]"
BULLET = "•"

# Requester types whose names are names of private persons. Organisations, law firms,
# authorities, courts, trusted flaggers, detectors and our own staff (CSMs, investigators)
# keep their names; everyone's e-mail, phone and address is personal data all the same.
PRIVATE_PERSON_TYPES = frozenset({"consumer", "reviewer", "notifier", "business", "executive"})

# Keys of a linked request's payload that hold what the requester wrote: erased whole by
# retention (other strings there are only scrubbed of contact data).
FREE_TEXT_KEYS = frozenset({"reason", "grounds", "description", "explanation", "subject",
                            "business_impact", "hypothesis"})
# Keys of a case's details that are its decision: retention leaves them exactly as they are.
DECISION_KEYS = frozenset({"outcome"})


def is_private_person(requester_type: str | None) -> bool:
    return requester_type in PRIVATE_PERSON_TYPES


# -- single values -------------------------------------------------------------------------------

def mask_email(value: str) -> str:
    """``jane.doe@counsel.example.com`` → ``j***@c***.com``: first letters and the TLD."""
    local, at, domain = value.strip().rpartition("@")
    if not at:
        return mask_other(value)
    labels = [label for label in domain.split(".") if label]
    if len(labels) < 2:
        return f"{local[:1]}***@{domain[:1]}***"
    return f"{local[:1]}***@{labels[0][:1]}***.{labels[-1]}"


# ITU country calling codes by length: these one- and two-digit codes, every other one three.
_CC1 = frozenset({"1", "7"})
_CC2 = frozenset({
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
    "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
    "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
})


def _country_code(digits: str) -> str:
    if digits[:1] in _CC1:
        return digits[:1]
    if digits[:2] in _CC2:
        return digits[:2]
    return digits[:3]


def mask_phone(value: str) -> str:
    """``+45 12 34 56 12`` → ``+45 •••• ••12``: the country code and the last two digits."""
    text = value.strip().lstrip("(")
    digits = re.sub(r"\D", "", text)
    prefix = ""
    if text.startswith("+") or (text.startswith("00") and len(digits) > 9):
        digits = digits[2:] if text.startswith("00") else digits
        cc = _country_code(digits)
        prefix, digits = f"+{cc} ", digits[len(cc):]
    if len(digits) <= 2:
        return prefix + BULLET * len(digits) if digits else prefix.strip()
    hidden = BULLET * (len(digits) - 2) + digits[-2:]
    head = len(hidden) % 4   # grouped in fours from the right: the last two digits stay together
    groups = ([hidden[:head]] if head else []) + [hidden[i:i + 4]
                                                   for i in range(head, len(hidden), 4)]
    return prefix + " ".join(groups)


def mask_name(value: str) -> str:
    """``Jane van Counsel`` → ``J. v. C.``: initials only."""
    initials = []
    for word in value.split():
        first = next((ch for ch in word if ch.isalpha()), None)
        if first is not None:
            initials.append(f"{first}.")
    return " ".join(initials)


def mask_other(value: str) -> str:
    """Any other contact detail (a postal address, a handle): its first character only."""
    value = value.strip()
    return f"{value[:1]}{BULLET * 3}" if value else value


def mask_contact(value: str | None) -> str | None:
    """A requester's contact, whatever it is: an e-mail, a phone number or anything else."""
    if value is None or not value.strip():
        return value
    if _EMAIL.fullmatch(value.strip()):
        return mask_email(value)
    phone = _PHONE_ONLY.fullmatch(value.strip())
    if phone and _is_phone(phone.group(0)):
        return mask_phone(value)
    return mask_other(value)


def mask_requester_name(requester_type: str | None, name: str | None) -> str | None:
    """A private person's name becomes initials; an organisation's or a lawyer's stays."""
    if name is None or not is_private_person(requester_type):
        return name
    return mask_name(name)


# -- free text -----------------------------------------------------------------------------------

_EMAIL_RE = r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}"
_EMAIL = re.compile(_EMAIL_RE)
_CURRENCY = r"(?:[€$£¥]|\b(?:EUR|USD|GBP|DKK|SEK|NOK|CHF|PLN|CZK)\b|\bkr\.?)"
_AMOUNT = r"\d{1,3}(?:[.,'\u00a0 ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_DAY, _MONTH, _YEAR = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])", r"(?:19|20)\d{2}"
_DMY = _DAY + r"[./-]" + _MONTH + r"[./-]" + _YEAR + r"(?!\d)"   # 24.11.2026, 11/24/2026 …
_MDY = _MONTH + r"[./-]" + _DAY + r"[./-]" + _YEAR + r"(?!\d)"
_ISO = _YEAR + r"-[01]\d-[0-3]\d(?!\d)"
_DATE = (
    r"\b" + _ISO + r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\b" + _DMY + r"|\b" + _MDY +
    r"|\b" + _YEAR + r"/[01]?\d/[0-3]?\d\b"
    r"|\b" + _YEAR + r"\s?[-–/]\s?" + _YEAR + r"\b"       # 2019-2024
    r"|\b(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)"                  # an IPv4 address, not a phone
)
# A group of a phone number, which never runs on into a date.
_GROUP = r"(?!" + _ISO + r")(?!" + _DMY + r")(?!" + _MDY + r")\(?\d{1,5}\)?"
_PHONE_RE = (
    r"(?<![\w+#/.,\-@])"                # not glued to a word, an id, a path or another number
    r"\(?(?:\+|00)?" + _GROUP +
    r"(?:[ \u00a0.\-/]{1,3}" + _GROUP + r"|" + _GROUP + r"){0,7}"
    r"(?![\w@]|[.,]\d)"                  # nor running into a word or a decimal part
)
_PHONE_ONLY = re.compile(_PHONE_RE)
_SCAN = re.compile(
    r"(?P<url>\bhttps?://[^\s<>\"']+)"
    r"|(?P<email>" + _EMAIL_RE + r")"
    r"|(?P<date>" + _DATE + r")"
    r"|(?P<price>" + _CURRENCY + r"\s?(?:" + _AMOUNT + r")"
    r"|(?:" + _AMOUNT + r")\s?" + _CURRENCY + r")"
    r"|(?P<decimal>(?<![\w.,])\d+[.,]\d{1,2}(?![\d.,]))"
    r"|(?P<phone>" + _PHONE_RE + r")"
)
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:([.,'\u00a0])\d{3})(?:\1\d{3})*")
_SPACED_THOUSANDS = re.compile(r"[1-9]\d?(?: \d{3})+")


def _is_phone(candidate: str) -> bool:
    """Whether a run of digits the pattern found is a phone number rather than a number."""
    digits = re.sub(r"\D", "", candidate)
    international = candidate.lstrip("(").startswith(("+", "00"))
    grouped = not candidate.isdigit()
    if international:
        return 7 <= len(digits) <= 17
    if not grouped:
        return 8 <= len(digits) <= 15          # a bare run: 8 digits and up (DK, FR, US …)
    if _THOUSANDS.fullmatch(candidate) or _SPACED_THOUSANDS.fullmatch(candidate):
        return False                           # 1.250.000, 12 500 000: amounts
    return 7 <= len(digits) <= 15


def _mask_match(match: re.Match[str], replace_email: Any, replace_phone: Any) -> str:
    kind = match.lastgroup
    text = match.group(0)
    if kind == "email":
        return replace_email(text)
    if kind == "url":
        return _EMAIL.sub(lambda m: replace_email(m.group(0)), text)
    if kind == "phone" and _is_phone(text):
        return replace_phone(text)
    return text


def mask_text(text: str) -> str:
    """Free text with every e-mail and phone number in it masked; all else as it was."""
    if not text or not any(ch.isdigit() or ch == "@" for ch in text):
        return text
    return _SCAN.sub(lambda m: _mask_match(m, mask_email, mask_phone), text)


def erase_text(text: str) -> str:
    """Free text with every e-mail and phone number in it replaced by ``[erased]``."""
    if not text or not any(ch.isdigit() or ch == "@" for ch in text):
        return text
    return _SCAN.sub(lambda m: _mask_match(m, lambda _: ERASED, lambda _: ERASED), text)


def contacts_in(text: str) -> list[str]:
    """The e-mails and phone numbers the scanner finds in a text (for tests and reports)."""
    found = []
    for m in _SCAN.finditer(text or ""):
        if m.lastgroup == "email" or (m.lastgroup == "phone" and _is_phone(m.group(0))):
            found.append(m.group(0))
        elif m.lastgroup == "url":
            found += _EMAIL.findall(m.group(0))
    return found


def mask_json(value: Any, *, keep: Iterable[str] = ()) -> Any:
    """Every string in a JSON value scanned and masked; strings under ``keep`` keys left alone."""
    keep = frozenset(keep)
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_json(v, keep=keep) for v in value]
    if isinstance(value, dict):
        return {k: v if k in keep else mask_json(v, keep=keep) for k, v in value.items()}
    return value


# -- retention -----------------------------------------------------------------------------------

def erase_json(value: Any, *, free_text: frozenset[str] = frozenset(),
               keep: frozenset[str] = frozenset()) -> Any:
    """A JSON value with free-text keys erased whole and every other string scrubbed of
    e-mails and phone numbers; ``keep`` keys (a decision) stay exactly as they are."""
    if isinstance(value, str):
        return erase_text(value)
    if isinstance(value, list):
        return [erase_json(v, free_text=free_text, keep=keep) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in keep:
                out[k] = v
            elif k in free_text and isinstance(v, str) and v:
                out[k] = ERASED
            else:
                out[k] = erase_json(v, free_text=free_text, keep=keep)
        return out
    return value


def text_fingerprint(text: str | None) -> dict[str, Any] | None:
    """What the timeline keeps of an edited free text instead of the text itself: the hash
    chain can never be erased, so it holds a fingerprint that identifies the text (and checks
    a copy of it) without carrying what it says."""
    if text is None:
        return None
    return {"sha256": hashlib.sha256(text.encode()).hexdigest(), "chars": len(text)}


def erased_requester(requester_type: str | None, name: str | None,
                     contact: str | None) -> tuple[str | None, str | None]:
    """(name, contact) after erasure: a private person's name and everyone's contact go."""
    return (None if is_private_person(requester_type) else name), None
