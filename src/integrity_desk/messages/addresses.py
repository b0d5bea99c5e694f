"""How a letter and its answer find each other: the case's reply token and the desk's
Message-IDs. Both directions of e-mail use these (the delivery worker writes them, the SMTP and
IMAP intake reads them), so they are built and parsed here only. Pure: no database.

A reply token names a case and carries an HMAC of its id under the desk's secret key, so a
stranger cannot attach mail to a case by guessing numbers ("c12-3f9a0b1c2d"). It travels in
the Reply-To address (``replies+c12-3f9a0b1c2d@desk.example``) and, for mail programs that drop
the "+" part, in the subject (``[ref:c12-3f9a0b1c2d]``).

A Message-ID is derived from the outbox row and its case's token
(``<outbox-17.c12-3f9a0b1c2d@desk.example>``): every attempt
to deliver one message carries the same id, so a receiver that got it twice (the worker died
between the relay's 250 and its own commit) drops the repeat; and a reply's In-Reply-To names
the case again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from email.utils import parseaddr

_TOKEN = re.compile(r"\bc(\d{1,12})-([0-9a-f]{10})\b")
_SUBJECT_TOKEN = re.compile(r"\[ref:\s*(c\d{1,12}-[0-9a-f]{10})\s*\]", re.I)
_MESSAGE_ID = re.compile(r"<outbox-\d{1,12}\.(c\d{1,12}-[0-9a-f]{10})@([^>]+)>", re.I)


def _mac(case_id: int, secret: str) -> str:
    return hmac.new(secret.encode(), f"reply:{case_id}".encode(),
                    hashlib.sha256).hexdigest()[:10]


def reply_token(case_id: int, secret: str) -> str:
    return f"c{case_id}-{_mac(case_id, secret)}"


def token_case(token: str, secret: str) -> int | None:
    """The case a token names; None when it is not one of ours (a forged or mangled token)."""
    found = _TOKEN.fullmatch(token.strip().lower())
    if found is None:
        return None
    case_id = int(found.group(1))
    return case_id if hmac.compare_digest(found.group(2), _mac(case_id, secret)) else None


def domain_of(address: str) -> str:
    """The domain of an address as written in a header ("Desk <desk@x.example>" -> x.example)."""
    return parseaddr(address)[1].rpartition("@")[2].lower() or "integrity-desk.invalid"


def reply_address(case_id: int, *, reply_to: str, secret: str) -> str:
    """``reply_to`` (the configured replies address) with the case's token after a "+"."""
    name, addr = parseaddr(reply_to)
    local, _, domain = addr.partition("@")
    tokened = f"{local}+{reply_token(case_id, secret)}@{domain}"
    return f"{name} <{tokened}>" if name else tokened


def _bounce_mac(outbox_id: int, secret: str) -> str:
    return hmac.new(secret.encode(), f"bounce:{outbox_id}".encode(),
                    hashlib.sha256).hexdigest()[:10]


def bounce_address(outbox_id: int, *, reply_to: str, secret: str) -> str:
    """The envelope sender (MAIL FROM) of one letter: the replies address with the letter's
    own token (``replies+b17-3f9a0b1c2d@…``, VERP), so a delivery report that comes back days
    after the relay's 250 names the letter it is about, whatever its text says."""
    local, _, domain = parseaddr(reply_to)[1].partition("@")
    return f"{local}+b{outbox_id}-{_bounce_mac(outbox_id, secret)}@{domain}"


_BOUNCE = re.compile(r"b(\d{1,12})-([0-9a-f]{10})")


def bounced_letter(address: str, secret: str) -> int | None:
    """The outbox row a delivery report addressed to ``bounce_address`` is about, if genuine."""
    local = parseaddr(address)[1].partition("@")[0].lower()
    found = _BOUNCE.fullmatch(local.partition("+")[2])
    if found is None:
        return None
    outbox_id = int(found.group(1))
    return outbox_id if hmac.compare_digest(found.group(2),
                                            _bounce_mac(outbox_id, secret)) else None


def subject_with_token(subject: str, case_id: int, secret: str) -> str:
    tag = f"[ref:{reply_token(case_id, secret)}]"
    return subject if tag in subject else f"{subject} {tag}"


def case_from_address(address: str, secret: str) -> int | None:
    """The case named by the "+token" of a recipient address, if any and genuine."""
    local = parseaddr(address)[1].partition("@")[0]
    _, plus, token = local.partition("+")
    return token_case(token, secret) if plus else None


def case_from_subject(subject: str, secret: str) -> int | None:
    found = _SUBJECT_TOKEN.search(subject or "")
    return token_case(found.group(1), secret) if found else None


def message_id(outbox_id: int, case_id: int | None, *, domain: str, secret: str) -> str:
    """The Message-ID of an outbox row: the same on every attempt to deliver it."""
    token = f".{reply_token(case_id, secret)}" if case_id else ""
    return f"<outbox-{outbox_id}{token}@{domain}>"


def case_from_message_ids(header: str | None, *, domain: str, secret: str) -> int | None:
    """The case of the first of our Message-IDs in an In-Reply-To or References header (its
    token checked like any other: a guessed id attaches nothing)."""
    for found in _MESSAGE_ID.finditer(header or ""):
        if found.group(2).lower() == domain.lower():
            case_id = token_case(found.group(1), secret)
            if case_id is not None:
                return case_id
    return None
