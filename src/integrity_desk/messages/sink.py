"""A reference mail receiver: an SMTP server (aiosmtpd) that drops repeats by Message-ID and
keeps what it received in a SQLite file. For trying the relay settings out on one machine
(``python -m integrity_desk.messages.sink --port 2525`` and
``IDESK_SMTP_URL=smtp://127.0.0.1:2525``), and the receiver the kill test and the benchmark
run as a real process.

Every message is logged in ``receipts`` (repeats too); ``messages`` holds each Message-ID once
— what a mailbox would show after dedupe. Both are committed before the 250 is sent, so a sink
killed at any moment has either kept a message (and drops the resend) or not (and the sender,
having no 250, sends it again): each Message-ID exactly once after dedupe.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from email.parser import BytesHeaderParser
from typing import Any

from integrity_desk.dedupe import DedupeStore

_HEADERS = BytesHeaderParser()


def open_store(path: str | None) -> DedupeStore:
    """Where this receiver keeps each item once and counts repeats."""
    return DedupeStore(path, table="messages", id_column="message_id", columns=("rcpt", "subject"))


class Handler:
    """aiosmtpd's handler: keep (or drop as a repeat) and answer 250; 451 every n-th."""

    def __init__(self, store: DedupeStore, *, fail_every: int = 0, delay: float = 0.0) -> None:
        self.store, self.fail_every, self.delay = store, fail_every, delay
        self.seen = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.seen += 1
        if self.fail_every and self.seen % self.fail_every == 0:
            return "451 4.3.0 try again later"
        headers = _HEADERS.parsebytes(envelope.original_content or envelope.content)
        message_id = (headers.get("Message-ID") or "").strip()
        if not message_id:
            return "550 5.6.0 a Message-ID is required here"
        fresh = self.store.keep(message_id, ",".join(envelope.rcpt_tos),
                                str(headers.get("Subject") or ""))
        return "250 2.0.0 kept" if fresh else "250 2.0.0 repeat dropped"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--store", default=None, help="SQLite file (default: in memory)")
    parser.add_argument("--fail-every", type=int, default=0,
                        help="answer 451 to every n-th message (to see retries)")
    parser.add_argument("--delay-ms", type=float, default=0.0,
                        help="think this long before answering (a slow server)")
    args = parser.parse_args(argv)
    serve(host=args.host, port=args.port, store=args.store, fail_every=args.fail_every,
          delay=args.delay_ms / 1000)


def serve(*, host: str, port: int, store: str | None, fail_every: int = 0,
          delay: float = 0.0) -> None:
    """Run until SIGTERM or Ctrl-C."""
    from aiosmtpd.controller import Controller

    controller = Controller(Handler(open_store(store), fail_every=fail_every, delay=delay),
                            hostname=host, port=port)
    controller.start()
    stop = asyncio.Event()

    async def wait() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    try:
        asyncio.run(wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
