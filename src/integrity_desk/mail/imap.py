"""Mailbox polling (``idesk mail poll``): mail that lives elsewhere comes in through the same
intake as the SMTP server's.

Unseen messages are fetched without marking them; each is stored in its own transaction, and
only after that commit is it flagged \\Seen. A poller killed in between leaves it unseen, the
next poll takes it again, and its Message-ID makes that a no-op. A message the desk refuses
(a disallowed attachment) is recorded as refused and marked seen; one that may succeed later
(the database away, the sender's rate) stays unseen for the next poll.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from imap_tools import AND, BaseMailBox, MailBox, MailBoxUnencrypted, MailMessageFlags
from sqlalchemy.exc import IntegrityError

from integrity_desk.db import Database, utcnow
from integrity_desk.errors import InvalidInput
from integrity_desk.mail.domain import Refused
from integrity_desk.mail.service import MailPolicy, SenderRate, receive, refused_row
from integrity_desk.wiring import wire

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailboxUrl:
    tls: bool
    host: str
    port: int
    user: str
    password: str
    folder: str

    @classmethod
    def parse(cls, url: str) -> MailboxUrl:
        parts = urlsplit(url)
        if parts.scheme not in ("imaps", "imap"):
            raise InvalidInput("use imaps://user:pass@host/MAILBOX (or imap:// on a trusted "
                               "network)", field="--url")
        if not parts.hostname or not parts.username:
            raise InvalidInput("name the host and the user: imaps://user:pass@host/INBOX",
                               field="--url")
        tls = parts.scheme == "imaps"
        return cls(tls, parts.hostname, parts.port or (993 if tls else 143),
                   unquote(parts.username), unquote(parts.password or ""),
                   unquote(parts.path.lstrip("/")) or "INBOX")


def _connect(url: MailboxUrl) -> BaseMailBox:
    box: BaseMailBox = (MailBox if url.tls else MailBoxUnencrypted)(url.host, url.port)
    return box.login(url.user, url.password, initial_folder=url.folder)


def poll_once(db: Database, policy: MailPolicy, url: MailboxUrl, *, kind: str | None = None,
              rate: SenderRate | None = None) -> Counter[str]:
    """Take every unseen message once; the outcome of each, counted. The process is wired first:
    the cases the letters open owe their webhook deliveries."""
    wire()
    counts: Counter[str] = Counter()
    with _connect(url) as box:
        for msg in box.fetch(AND(seen=False), mark_seen=False, bulk=50):
            raw = msg.obj.as_bytes()
            outcome = _take(db, policy, raw, kind=kind, rate=rate)
            counts[outcome] += 1
            if outcome != "later":
                box.flag(msg.uid, MailMessageFlags.SEEN, True)
    return counts


def _take(db: Database, policy: MailPolicy, raw: bytes, *, kind: str | None,
          rate: SenderRate | None) -> str:
    try:
        with db.session() as session:
            return receive(session, raw, policy=policy, now=utcnow(), source="imap",
                           kind=kind, rate=rate).outcome
    except Refused as refusal:
        if not refusal.permanent:
            return "later"
        with db.session() as session:
            refused_row(session, raw, refusal, source="imap", now=utcnow())
        return "refused"
    except IntegrityError:
        return "duplicate"  # a parallel poller stored the same Message-ID first
    except Exception:
        # The database away, or a fault of ours: the message stays unseen for the next poll.
        log.exception("storing a polled message failed")
        return "later"


def poll_forever(db: Database, policy: MailPolicy, url: MailboxUrl, *, kind: str | None,
                 interval: float, report: Callable[[Counter[str]], None]) -> None:
    rate = SenderRate(policy.rate, policy.rate_storage)
    while True:
        counts = poll_once(db, policy, url, kind=kind, rate=rate)
        if counts:
            report(counts)
        time.sleep(interval)
