"""The relay an outbox is delivered through, and the e-mail a message becomes. Pure: no
database, no network (delivery.py sends what this builds).

The relay is one URL, ``IDESK_SMTP_URL``, so an operator sets one value:

* ``smtp://host:25`` — plain SMTP (a relay on the same host or network);
* ``smtp://user:pass@host:587?starttls=1`` — submission, upgraded to TLS before the login;
* ``smtps://user:pass@host:465`` — TLS from the first byte;
* ``…?cafile=/etc/ssl/relay-ca.pem`` — trust a private CA instead of the system's.

User and password are URL-decoded (``%40`` for "@"), so any password can be written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, getaddresses
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit

from integrity_desk.errors import InvalidInput
from integrity_desk.messages.addresses import (
    domain_of,
    message_id,
    reply_address,
    subject_with_token,
)

SETTING = "IDESK_SMTP_URL"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_KNOWN_OPTIONS = {"starttls", "cafile"}
# Receipts answer the sender's own notice (RFC 3834 "auto-replied"); every other letter is the
# desk's own initiative ("auto-generated"). Either way, well-behaved autoresponders stay quiet.
AUTO_REPLIED_KINDS = frozenset({"receipt"})


@dataclass(frozen=True)
class Relay:
    """Where and how to hand mail over: parsed from the relay URL once per delivery run."""

    host: str
    port: int
    tls: bool  # smtps: TLS from the start
    starttls: bool  # smtp with ?starttls=1: upgrade before anything else is said
    user: str | None = None
    password: str | None = None
    cafile: str | None = None

    def describe(self) -> str:
        """The relay without its password, for logs and the CLI."""
        who = f"{self.user}@" if self.user else ""
        how = "smtps" if self.tls else "smtp"
        extra = "?starttls=1" if self.starttls else ""
        return f"{how}://{who}{self.host}:{self.port}{extra}"


def parse_relay(url: str) -> Relay:
    """A relay URL, checked; a malformed one is refused naming the setting and the reason."""
    url = (url or "").strip()
    if not url:
        raise InvalidInput("no relay is configured (e-mail is off)", field=SETTING)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"not a valid URL ({exc}); e.g. smtp://user:pass@host:587"
                           "?starttls=1", field=SETTING) from None
    if parts.scheme not in ("smtp", "smtps"):
        raise InvalidInput(f"the scheme must be smtp or smtps, not {parts.scheme or 'none'!r}",
                           field=SETTING)
    if not parts.hostname:
        raise InvalidInput("name the relay's host, e.g. smtp://mail.example.com:587",
                           field=SETTING)
    if parts.path not in ("", "/"):
        raise InvalidInput(f"a relay URL has no path ({parts.path!r})", field=SETTING)
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(options) - _KNOWN_OPTIONS)
    if unknown:
        raise InvalidInput(f"unknown option(s) {', '.join(unknown)}; known: starttls, cafile",
                           field=SETTING)
    starttls_value = (options.get("starttls") or ["0"])[-1].lower()
    if starttls_value not in _TRUE | _FALSE:
        raise InvalidInput(f"starttls is 1 or 0, not {starttls_value!r}", field=SETTING)
    tls = parts.scheme == "smtps"
    starttls = starttls_value in _TRUE
    if tls and starttls:
        raise InvalidInput("smtps is TLS from the start: drop ?starttls=1 (or use smtp://)",
                           field=SETTING)
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if user and password is None:
        raise InvalidInput("a user needs a password (smtp://user:pass@host)", field=SETTING)
    cafile = (options.get("cafile") or [None])[-1] or None
    return Relay(host=parts.hostname, port=port or (465 if tls else 25), tls=tls,
                 starttls=starttls, user=user, password=password, cafile=cafile)


@dataclass(frozen=True)
class Letter:
    """What of an outbox row goes into the e-mail (read at the claim, so no ORM object)."""

    id: int
    case_id: int | None
    kind: str
    recipient: str
    language: str
    subject: str
    body: str
    in_reply_to: str | None = None
    references: str | None = None


@dataclass(frozen=True)
class Sender:
    """Who the desk's letters are from and where replies go (from the settings)."""

    mail_from: str
    reply_to: str  # the configured replies address; the case's token is added per letter
    secret: str

    @property
    def domain(self) -> str:
        return domain_of(self.mail_from)


@lru_cache(maxsize=64)
def _fixed(name: str, value: str, utf8: bool) -> object:
    """A header that is the same on many letters (From, Auto-Submitted, Content-Language),
    parsed once: the email package's header parsing is most of the cost of building a letter,
    and a parsed header object is stored as it is."""
    return (SMTPUTF8 if utf8 else SMTP).header_factory(name, value)


def needs_smtputf8(*addresses: str) -> bool:
    """A non-ASCII address (a local part in Unicode) travels only over SMTPUTF8."""
    return any(not a.isascii() for a in addresses)


def build(letter: Letter, sender: Sender, *, now: datetime) -> EmailMessage:
    """The e-mail of an outbox row: the same Message-ID on every attempt (receivers drop a
    repeat by it), the case's reply token in Reply-To and Subject, threading when the row
    answers a requester's mail, and the RFC 3834 marker of automatic mail."""
    utf8 = needs_smtputf8(letter.recipient, sender.mail_from)
    msg = EmailMessage(policy=SMTPUTF8 if utf8 else SMTP)
    msg["From"] = _fixed("From", sender.mail_from, utf8)
    msg["To"] = letter.recipient
    subject = letter.subject
    if letter.case_id:
        subject = subject_with_token(subject, letter.case_id, sender.secret)
        msg["Reply-To"] = reply_address(letter.case_id, reply_to=sender.reply_to,
                                        secret=sender.secret)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(letter.id, letter.case_id, domain=sender.domain,
                                   secret=sender.secret)
    if letter.in_reply_to:
        msg["In-Reply-To"] = letter.in_reply_to
        msg["References"] = letter.references or letter.in_reply_to
    elif letter.references:
        msg["References"] = letter.references
    msg["Auto-Submitted"] = _fixed("Auto-Submitted", "auto-replied" if letter.kind in
                                   AUTO_REPLIED_KINDS else "auto-generated", utf8)
    # Quoted-printable: 7-bit safe through any relay, and still readable as source.
    msg.set_content(letter.body, charset="utf-8", cte="quoted-printable")
    # After set_content, which clears Content-* headers.
    msg["Content-Language"] = _fixed("Content-Language", letter.language, utf8)
    return msg


def envelope_address(header_value: str) -> str:
    """The bare address of a From/To header value ("Desk <d@x>" -> "d@x") for MAIL/RCPT."""
    found = getaddresses([header_value])
    return found[0][1] if found and found[0][1] else header_value.strip()


def check_sender(mail_from: str) -> str:
    """The From address must be one address with a domain: every Message-ID is named by it."""
    bare = envelope_address(mail_from)
    local, at, domain = bare.rpartition("@")
    if not at or not local or "." not in domain:
        raise InvalidInput(f"not an address with a domain: {mail_from!r}",
                           field="IDESK_MAIL_FROM")
    try:
        Address(addr_spec=bare)
    except (ValueError, IndexError) as exc:
        raise InvalidInput(f"not an address: {exc}", field="IDESK_MAIL_FROM") from None
    return bare
