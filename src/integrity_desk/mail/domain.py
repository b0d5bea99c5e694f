"""Reading a received message, pure (no database, no network): its headers, text and
attachments, the routes its recipients name, and the limits it must keep.

The limits answer with an SMTP reply code, so the SMTP server and the mailbox poller refuse
for the same reasons: 5xx where the message itself is wrong (resending it cannot help), 4xx
where the same message may be taken later (the sender's rate, the database away).
"""

from __future__ import annotations

import binascii
import hashlib
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr

from integrity_desk.cases.domain import CaseKind


class Refused(Exception):
    """A message the desk does not take, with the SMTP reply that says why."""

    def __init__(self, code: int, status: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.status, self.reason = code, status, reason

    @property
    def permanent(self) -> bool:
        return self.code >= 500

    @property
    def reply(self) -> str:
        return f"{self.code} {self.status} {self.reason}"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    # Hashed once: storage keys the bytes by it and lists it on the case.
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.content).hexdigest())


@dataclass
class Letter:
    """What intake reads of a message."""

    message_id: str
    sender_name: str
    sender: str
    recipients: list[str]
    subject: str
    text: str
    in_reply_to: str
    references: str
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class Limits:
    max_attachments: int
    types: tuple[str, ...]  # "application/pdf", "image/*"

    @classmethod
    def from_setting(cls, max_attachments: int, types: str) -> Limits:
        return cls(max_attachments, tuple(t.strip().lower() for t in types.split(",")
                                          if t.strip()))

    def allows(self, content_type: str) -> bool:
        ctype = content_type.lower()
        return any(ctype == t or (t.endswith("/*") and ctype.startswith(t[:-1]))
                   for t in self.types)


class Routes:
    """``legal@=legal_notice,…``: a recipient's local part (or full address) names a case kind."""

    def __init__(self, setting: str, *, reply_address: str) -> None:
        self.by_local: dict[str, str] = {}
        self.by_address: dict[str, str] = {}
        for item in filter(None, (p.strip() for p in setting.split(","))):
            address, eq, kind = item.partition("=")
            if not eq or kind.strip() not in CaseKind.__members__.values():
                raise ValueError(f"IDESK_MAIL_ROUTES: {item!r} is not address@=case_kind "
                                 f"(kinds: {', '.join(k.value for k in CaseKind)})")
            local, _, domain = address.strip().lower().partition("@")
            if domain:
                self.by_address[f"{local}@{domain}"] = kind.strip()
            else:
                self.by_local[local] = kind.strip()
        self.reply_local = parseaddr(reply_address)[1].partition("@")[0].lower()

    def kind_of(self, address: str) -> str | None:
        """The case kind an address routes to (its "+" part ignored), or None."""
        local, domain = _split(address)
        base = local.partition("+")[0]
        return self.by_address.get(f"{base}@{domain}") or self.by_local.get(base)

    def is_reply_address(self, address: str) -> bool:
        local, _ = _split(address)
        return bool(self.reply_local) and local.partition("+")[0] == self.reply_local

    def accepts(self, address: str) -> bool:
        return self.kind_of(address) is not None or self.is_reply_address(address)


def _split(address: str) -> tuple[str, str]:
    local, _, domain = parseaddr(address)[1].lower().rpartition("@")
    return local, domain


_TAGS = re.compile(r"<[^>]+>")


def _header(msg: Message, name: str) -> str:
    """A header's text, RFC 2047 encoded words decoded ("=?utf-8?q?Abmahnung?=")."""
    value = msg.get(name)
    if value is None:
        return ""
    try:
        return str(make_header(decode_header(str(value)))).strip()
    except (UnicodeError, LookupError, HeaderParseError):
        return str(value).strip()


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("Content-Disposition", "")).split(";")[0].strip().lower()
    return disposition == "attachment" or (
        part.get_filename() is not None and disposition != "inline") or (
        not part.is_multipart() and part.get_content_maintype() not in ("text", "multipart"))


def _head(raw: bytes) -> tuple[Message, bytes]:
    """A part's headers (parsed) and its body (as is)."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    return BytesHeaderParser().parsebytes(head + sep), body


def _leaves(raw: bytes, depth: int = 0) -> Iterator[tuple[Message, bytes]]:
    """The leaf parts of a message (headers, undecoded body), multiparts split by boundary.

    The standard parser feeds a message to itself line by line: a 200 KB attachment is ~3,600
    lines and most of the cost of a letter. Headers are parsed by the standard library (each
    part's own few lines), bodies are split by their boundary with bytes.split."""
    headers, body = _head(raw)
    boundary = headers.get_boundary() if headers.get_content_maintype() == "multipart" else None
    if not boundary or depth > 10:
        yield headers, body
        return
    chunks = (b"\n" + body).split(b"\n--" + boundary.encode("ascii", "replace"))
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter; the epilogue after it is no part
        chunk = chunk.partition(b"\n")[2]  # the rest of the delimiter line
        yield from _leaves(chunk[:-1] if chunk.endswith(b"\r") else chunk, depth + 1)


def _decoded(part: Message, body: bytes) -> bytes:
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding == "base64":
        return binascii.a2b_base64(body)
    if encoding == "quoted-printable":
        return quopri.decodestring(body)
    return body


def _as_text(part: Message, body: bytes) -> str:
    charset = part.get_content_charset() or "utf-8"
    try:
        return _decoded(part, body).decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return _decoded(part, body).decode("utf-8", errors="replace")


def read_letter(raw: bytes, *, envelope_recipients: list[str] | None = None) -> Letter:
    """Parse a message; Refused(550 5.6.0) when it is no readable message at all."""
    if not raw.strip():
        raise Refused(550, "5.6.0", "empty message")
    try:
        parts = list(_leaves(raw))
        msg = parts[0][0] if len(parts) == 1 else _head(raw)[0]
        sender_name, sender = parseaddr(_header(msg, "From"))
        if "@" not in sender:
            raise Refused(550, "5.6.0", "the From header names no address")
        plain: str | None = None
        html: str | None = None
        attachments: list[Attachment] = []
        for part, body in parts:
            if _is_attachment(part) and len(parts) > 1:
                name = _header_param(part.get_filename()) or f"attachment-{len(attachments) + 1}"
                attachments.append(Attachment(name[:255], part.get_content_type()[:127],
                                              _decoded(part, body)))
            elif part.get_content_type() == "text/plain" and plain is None:
                plain = _as_text(part, body)
            elif part.get_content_type() == "text/html" and html is None:
                html = _TAGS.sub(" ", _as_text(part, body))
        text = (plain if plain is not None else html or "").strip()
        recipients = envelope_recipients or [a for _, a in getaddresses(
            [_header(msg, "To"), _header(msg, "Cc")]) if a]
        message_id = _header(msg, "Message-ID")
    except Refused:
        raise
    except Exception as exc:  # the parser's own errors, whatever their class
        raise Refused(550, "5.6.0", f"malformed message: {exc}"[:200]) from None
    if not message_id:
        # No Message-ID: the content names it, so the same message resent is still one.
        message_id = f"<sha256-{hashlib.sha256(raw).hexdigest()}@inbound.invalid>"
    return Letter(message_id=message_id[:500], sender_name=sender_name.strip(),
                  sender=sender.lower(), recipients=recipients,
                  subject=_header(msg, "Subject"), text=text,
                  in_reply_to=_header(msg, "In-Reply-To"),
                  references=_header(msg, "References"), attachments=attachments)


def _header_param(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(make_header(decode_header(value))).strip() or None
    except (UnicodeError, LookupError, HeaderParseError):
        return value.strip() or None


def check_limits(letter: Letter, limits: Limits) -> None:
    """Refuse a message whose attachments the desk does not take (count, type)."""
    if len(letter.attachments) > limits.max_attachments:
        raise Refused(552, "5.3.4", f"too many attachments: {len(letter.attachments)} "
                      f"(at most {limits.max_attachments})")
    for a in letter.attachments:
        if not limits.allows(a.content_type):
            raise Refused(554, "5.6.1", f"attachment {a.filename!r} of type {a.content_type} "
                          "is not accepted (accepted: " + ", ".join(limits.types) + ")")
