"""The desk's SMTP server (``idesk mail serve``), on aiosmtpd.

Refusals come as early as the protocol allows, so a sender's own server keeps the letter and
tells its author: an unknown recipient at RCPT (550), a message over IDESK_MAIL_MAX_BYTES at
MAIL FROM's SIZE or during DATA (552, aiosmtpd's own check of the advertised SIZE). Everything
else is read at the end of DATA. The 250 is sent only after the database committed the case,
the message and its files: a server killed before that leaves the sender without a 250, so it
sends again, and the Message-ID makes the second delivery the only one stored.
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import threading
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, syntax
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy.exc import IntegrityError

from integrity_desk.db import Database, utcnow
from integrity_desk.mail.domain import Refused, read_letter
from integrity_desk.mail.service import MailPolicy, SenderRate, known_message, receive
from integrity_desk.wiring import wire

log = logging.getLogger(__name__)
_END = b"\r\n.\r\n"
_STUFFED_DOT = re.compile(rb"(\A|\n)\.")
_CHUNK = 1 << 16


class DeskSMTP(SMTP):
    """aiosmtpd's protocol with DATA read in blocks rather than line by line.

    aiosmtpd awaits every line of DATA: a letter with a 200 KB PDF is ~3,600 lines and ~10 ms
    of CPU before the handler sees it, a third of what intake costs. Here the data is read in
    64 KB blocks up to the lone dot, dots unstuffed with one regular expression (RFC 5321
    4.5.2), and a message over the size limit is drained without being kept, then answered
    552 — as aiosmtpd does. Lines longer than RFC 5321's 1,000 octets are taken, not refused
    (the parser reads them; refusing a letter for its line length loses it)."""

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        limit = self.data_size_limit
        buf = bytearray(b"\r\n")  # so a lone dot on the first line ends the data too
        size, too_much = 0, False
        while True:
            try:
                block = await self._reader.read(_CHUNK)
            except asyncio.CancelledError:
                log.info("connection lost during DATA")
                self._writer.close()
                raise
            if not block:  # the client went away: no message, no reply
                return
            start = max(0, len(buf) - 4)
            buf += block
            end = buf.find(_END, start)
            size += len(block)
            if limit and size > limit + len(_END):
                too_much = True
            if end >= 0:
                break
            if too_much:
                del buf[:-4]  # keep only what may begin the terminator
        # Anything after the terminator is the client's next command (pipelining).
        rest = bytes(buf[end + len(_END):])
        if rest:
            self._reader._buffer[:0] = rest  # type: ignore[attr-defined]
        if too_much:
            self._set_post_data_state()
            await self.push("552 5.3.4 Error: too much mail data")
            return
        content = _STUFFED_DOT.sub(rb"\1", bytes(buf[2:end + 2]))
        self.envelope.content = self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push(status)


class DeskController(Controller):
    def factory(self) -> SMTP:
        return DeskSMTP(self.handler, **self.SMTP_kwargs)


class DeskHandler:
    """aiosmtpd handler: RCPT checks the routes; DATA stores through the mail service."""

    def __init__(self, db: Database, policy: MailPolicy) -> None:
        self.db, self.policy = db, policy
        self.rate = SenderRate(policy.rate, policy.rate_storage)

    async def handle_RCPT(self, server: SMTP, session: SmtpSession, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if not self.policy.routes.accepts(address):
            return f"550 5.1.1 <{address}>: no such address at this desk"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: SmtpSession,
                          envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        # The database work runs in a thread: one slow commit must not stall every session.
        return await asyncio.to_thread(self.take, raw, list(envelope.rcpt_tos))

    def take(self, raw: bytes, recipients: list[str]) -> str:
        """Store one message and return the SMTP reply; 250 only after the commit."""
        try:
            with self.db.session() as session:
                received = receive(session, raw, policy=self.policy, now=utcnow(),
                                   source="smtp", recipients=recipients, rate=self.rate)
        except Refused as refusal:
            return refusal.reply
        except IntegrityError:
            # The same Message-ID committed by a parallel session first: already received.
            return self._after_conflict(raw, recipients)
        except Exception:
            # The database away, or a fault of ours: never a 250, never a 5xx that would make
            # the sender give the letter up; its server keeps it and tries again.
            log.exception("storing a received message failed")
            return "451 4.3.0 the message could not be stored now; try again later"
        if received.outcome == "duplicate":
            return "250 2.0.0 OK: already received"
        return f"250 2.0.0 OK: received ({received.outcome}, message {received.inbound_id})"

    def _after_conflict(self, raw: bytes, recipients: list[str]) -> str:
        with self.db.session() as session:
            if known_message(session, read_letter(raw, envelope_recipients=recipients)
                             .message_id) is not None:
                return "250 2.0.0 OK: already received"
        return "451 4.3.0 the message could not be stored now; try again later"


def controller(db: Database, policy: MailPolicy, *, host: str,
               port: int) -> DeskController:
    """The server on its own thread and event loop (started by the caller). SIZE is advertised
    from the limit: a MAIL FROM declaring more is answered 552 by aiosmtpd, data beyond it by
    DeskSMTP. The letters it stores open cases: the process is wired first, so their events
    owe their webhook deliveries."""
    wire()
    return DeskController(DeskHandler(db, policy), hostname=host, port=port,
                      data_size_limit=policy.max_bytes, ready_timeout=10.0,
                      server_hostname="integrity-desk")


def serve(db: Database, policy: MailPolicy, *, host: str, port: int,
          ready: Any = None) -> None:
    """Run until SIGTERM or SIGINT (``idesk mail serve``)."""
    server = controller(db, policy, host=host, port=port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    try:
        if ready is not None:
            ready(server)
        stop.wait()
    finally:
        server.stop()
