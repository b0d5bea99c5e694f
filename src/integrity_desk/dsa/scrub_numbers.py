"""Numbers that identify a person in free text: phone numbers, bank accounts, IP addresses.

Cheap patterns find the candidates; well-kept libraries judge them, so that dates, prices,
order numbers and EANs stay: ``phonenumbers`` (Google's libphonenumber) knows the numbering
plan of every EU/EEA country, ``python-stdnum`` checks IBAN and card check digits, and the
standard library's ``ipaddress`` tells an IPv4/IPv6 address from a version number or a time.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

import phonenumbers
from stdnum import iban, luhn

# The EU/EEA, Switzerland and the UK: where national forms (with a trunk 0) are read.
REGIONS = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
           "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS",
           "LI", "NO", "CH", "GB")

# A run of characters a phone number is written with; each run is then judged on its own.
_PHONE_RUN = re.compile(r"(?<![\w+/.,-])(?:\+|00)?\(?\d[\d ()./\u00a0-]{4,}\d(?![\w-]|[.,]\d)")
# Words that announce a phone number; beside one, a shorter local number counts too.
_PHONE_WORDS = re.compile(
    r"\b(?:tel|tél|tlf|tfn|phone|telephone|telefon|telefoon|teléfono|téléphone|mobil|handy"
    r"|cell|portable|móvil|movil|cellulare|whatsapp|fax|call|ruf|anruf|appel|llam|chiam"
    r"|joignable)\w*", re.IGNORECASE)
_NANP = re.compile(r"^\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}$")
_SEPARATORS = re.compile(r"[\s./()\u00a0-]+")

# An IBAN as written: country, check digits, then groups (spaces or none); trimmed to fit.
_IBAN_RUN = re.compile(r"(?<![\w-])[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Za-z0-9]{1,4}){3,9}(?![\w-])",
                       re.IGNORECASE)
# Payment cards: 14–19 digits in groups, led by an issuer digit 2–6, Luhn-valid.
_CARD = re.compile(r"(?<![\w.,/-])[2-6]\d{3}(?:[ -]?\d){10,15}(?![\w-]|[.,]\d)")
# Account numbers announced as such (Konto, compte, RIB, account number, sort code…).
_ACCOUNT = re.compile(
    r"\b(?:kontonummer|konto(?:-?nr\.?)?|kto\.?(?:-?nr\.?)?|account\s+(?:number|no\.?|nr\.?|#)"
    r"|account|acct\.?|bankkonto|num[ée]ro\s+de\s+compte|n[°o]\s*de\s+compte|compte(?:\s+n[°o])?"
    r"|rib|sort\s+code|blz|bankleitzahl)"
    r"\s*(?:n[°o]\.?|nr\.?|#)?\s*[:=]?\s*(\d[\d \u00a0/-]{4,}\d)(?![\w-]|[.,]\d)",
    re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\w]|\.\d)")
# "version 10.2.0.1", "Abschnitt 12.1.2.3" number a version or a section, not a host.
_NUMBERING = re.compile(r"(?:version|versión|v|ver\.|build|release|section|sect\.|abschnitt"
                        r"|kapitel|chapter|chapitre|article|artikel|art\.|ziffer|nr\.|no\.|n°"
                        r"|§)\s*$", re.IGNORECASE)
_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f:]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(?:%\w+)?(?:/\d{1,3})?"
                   r"(?![\w:])")


def sub_accounts(token: str, text: str) -> str:
    """IBANs (any country, check digits verified), payment cards and announced account
    numbers replaced by ``token``."""
    text = _IBAN_RUN.sub(lambda m: _iban(m, token), text)
    text = _CARD.sub(lambda m: token if luhn.is_valid(re.sub(r"\D", "", m.group(0)))
                     else m.group(0), text)
    return _ACCOUNT.sub(lambda m: _replace_group(m, 1, token), text)


def sub_ips(token: str, text: str) -> str:
    """IPv4 and IPv6 addresses (with a prefix length or zone) replaced by ``token``."""
    text = _IPV4.sub(lambda m: token if _is_ipv4(m) else m.group(0), text)
    return _IPV6.sub(lambda m: _ipv6(m, token), text)


def sub_phones(token: str, text: str) -> str:
    """Phone numbers replaced by ``token``: international forms the numbering plan allows,
    national forms with a trunk 0 valid in some EU/EEA country, North-American forms, and
    shorter numbers right after a word such as "Tel.", "Telefon", "téléphone"."""
    return _PHONE_RUN.sub(lambda m: _phone(m, token), text)


def _replace_group(match: re.Match[str], group: int, token: str) -> str:
    whole, start = match.group(0), match.start(group) - match.start()
    return whole[:start] + token + whole[start + len(match.group(group)):]


def _iban(match: re.Match[str], token: str) -> str:
    """The longest run of leading groups that is a valid IBAN; the rest is the sentence's."""
    run = match.group(0)
    cuts = [m.start() for m in re.finditer(r"[ \u00a0]", run)] + [len(run)]
    for cut in reversed(cuts):
        if iban.is_valid(run[:cut]):
            return token + run[cut:]
    return run


def _is_ip(candidate: str) -> bool:
    try:
        ipaddress.ip_interface(candidate)
    except ValueError:
        return False
    return True


def _is_ipv4(match: re.Match[str]) -> bool:
    """An address, not a numbering: four single digits (4.1.2.3) or a number after "version",
    "section"… are left alone."""
    found = match.group(0)
    return (_is_ip(found) and any(len(p) > 1 for p in found.split("/")[0].split("."))
            and not _NUMBERING.search(match.string, max(0, match.start() - 12), match.start()))


def _ipv6(match: re.Match[str], token: str) -> str:
    run = match.group(0)
    for core in (run, run.rstrip(":.")):  # a colon or full stop may be the sentence's
        if any(c.isalnum() for c in core) and _is_ip(core):
            return token + run[len(core):]
    return run


def _phone(match: re.Match[str], token: str) -> str:
    run = match.group(0)
    # A run may end in separators or a bracket that belong to the sentence.
    core = run.rstrip(" ./-(\u00a0")
    if _is_phone(core, match.string[:match.start()]):
        return token + run[len(core):]
    return run


def _is_phone(candidate: str, before: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    groups = [g for g in _SEPARATORS.split(candidate) if g]
    if _starts_with_date(groups, candidate) or digits > 15:
        return False
    if candidate.startswith(("+", "00")):
        return digits >= 8 and _international(re.sub(r"[^\d+]", "", candidate))
    if _PHONE_WORDS.search(before[-25:]):
        return digits >= 6
    if candidate.lstrip("(").startswith("0"):
        return (digits >= 8 and not re.fullmatch(r"0[.,]\d+", candidate)
                and _national(re.sub(r"\D", "", candidate)))
    return bool(_NANP.match(candidate))


@lru_cache(maxsize=1024)
def _international(number: str) -> bool:
    """+CC…: a length the country's numbering plan allows."""
    number = "+" + number[2:] if number.startswith("00") else number
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False


@lru_cache(maxsize=1024)
def _national(number: str) -> bool:
    """0…: a valid number in the national form of some EU/EEA country (or CH, UK)."""
    for region in REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(number, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _starts_with_date(groups: list[str], candidate: str) -> bool:
    """Dates (25.11.2026, 2026-11-25, 01/02/26), with a time after them, are not phones."""
    if len(groups) < 3 or candidate.startswith("+"):
        return False
    a, b, c = groups[:3]
    if not (a.isdigit() and b.isdigit() and c.isdigit()):
        return False
    rest_is_time = all(len(g) <= 2 for g in groups[3:]) and len(groups) <= 5
    iso = len(a) == 4 and len(b) <= 2 and len(c) <= 2 and 1 <= int(b) <= 12 and 1 <= int(c) <= 31
    dmy = (len(a) <= 2 and len(b) <= 2 and len(c) in (2, 4)
           and 1 <= int(a) <= 31 and 1 <= int(b) <= 12)
    if len(groups) == 5 and all(len(g) == 2 for g in groups):
        return False  # 06 12 34 56 78: a French number, not a date with a time
    return (iso or dmy) and rest_is_time

