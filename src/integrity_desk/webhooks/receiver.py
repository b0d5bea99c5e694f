"""A reference webhook receiver: checks the signature, drops repeats by event id, keeps what it
received in a SQLite file. For trying a subscription out (``idesk webhooks receive``), and the
receiver the kill test and the benchmark run as a real process.

Every request is logged in ``receipts`` (repeats too); ``events`` holds each event id once —
what a consumer would process. Both are written and committed before the 200 is sent, so a
receiver killed at any moment has either recorded an event (and will drop the retry) or not
(and will get the retry): exactly once after dedupe. WAL with synchronous=NORMAL survives the
process being killed; only a power cut could lose the last commits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from integrity_desk.dedupe import DedupeStore
from integrity_desk.webhooks.domain import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    SignatureError,
    verify,
)

_SIG = SIGNATURE_HEADER.lower().encode()
_EVENT = EVENT_ID_HEADER.lower().encode()


def open_store(path: str | None) -> DedupeStore:
    """Where this receiver keeps each item once and counts repeats."""
    return DedupeStore(path, table="events", id_column="event_id", columns=("type",))


class Receiver:
    """A plain ASGI app (no framework: it has to keep up with the benchmark)."""

    def __init__(self, secret: str, store: DedupeStore, *, fail_every: int = 0,
                 delay: float = 0.0) -> None:
        self.secret, self.store, self.fail_every, self.delay = secret, store, fail_every, delay
        self.seen = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if self.delay:
            await asyncio.sleep(self.delay)
        headers = dict(scope["headers"])
        status, answer = 200, b'{"ok":true}'
        try:
            verify(self.secret, (headers.get(_SIG) or b"").decode(), body)
            event = json.loads(body)
            if headers.get(_EVENT, b"").decode() != event["id"]:
                raise SignatureError("the event id header does not name the body's event")
            self.seen += 1
            if self.fail_every and self.seen % self.fail_every == 0:
                status, answer = 503, b'{"error":"try again"}'
            elif not self.store.keep(event["id"], event["type"]):
                answer = b'{"ok":true,"repeat":true}'
        except (SignatureError, ValueError, KeyError) as exc:
            status, answer = 400, json.dumps({"error": str(exc)}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": answer})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--store", default=None, help="SQLite file (default: in memory)")
    parser.add_argument("--fail-every", type=int, default=0,
                        help="answer 503 to every n-th request (to see retries)")
    parser.add_argument("--delay-ms", type=float, default=0.0,
                        help="think this long before answering (a slow consumer)")
    args = parser.parse_args(argv)
    serve(args.secret, host=args.host, port=args.port, store=args.store,
          fail_every=args.fail_every, delay=args.delay_ms / 1000)


def serve(secret: str, *, host: str, port: int, store: str | None, fail_every: int = 0,
          delay: float = 0.0) -> None:
    import uvicorn

    uvicorn.run(Receiver(secret, open_store(store), fail_every=fail_every, delay=delay), host=host,
                port=port, log_level="warning", access_log=False, lifespan="on")


if __name__ == "__main__":
    main()
