"""A real HTTP receiver in a thread of the test process, and steps every webhook test takes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from integrity_desk.db import Database
from integrity_desk.settings import Settings
from integrity_desk.webhooks.delivery import deliver_due
from integrity_desk.webhooks.domain import SIGNATURE_HEADER, SignatureError, verify
from tests.conftest import Person

API = "/api/v1"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each request with the next scripted (status, headers), then 200s."""

    url: str
    secret: str | None = None
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    bad_signatures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        with self.lock:
            self.received.append(Received(headers, body))
            if self.secret is not None:
                try:
                    verify(self.secret, headers.get(SIGNATURE_HEADER.lower()), body)
                except SignatureError as exc:
                    self.bad_signatures.append(str(exc))
                    return 400, {}
            return self.script.pop(0) if self.script else (200, {})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the worker's client reuses connections

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra = holder["r"].answer(headers, body)
            payload = b'{"ok":true}' if status < 300 else b'{"error":"scripted"}'
            self.send_response(status)
            for k, v in extra.items():
                self.send_header(k, v)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["r"] = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["r"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribe(client: TestClient, manager: Person, receiver: Receiver
              ) -> Callable[..., tuple[int, str]]:
    def make(*types: str, url: str | None = None, **over: Any) -> tuple[int, str]:
        r = client.post(f"{API}/webhooks", headers=manager.headers, json={
            "name": "CRM sync", "url": url or receiver.url, "event_types": list(types), **over})
        assert r.status_code == 201, r.text
        body = r.json()
        receiver.secret = body["secret"]
        return body["id"], body["secret"]

    return make


@pytest.fixture
def deliver(db: Database, settings: Settings) -> Callable[..., dict[str, int]]:
    def run(**over: Any) -> dict[str, int]:
        chosen = settings.model_copy(update=over) if over else settings
        with db.session() as session:
            return deliver_due(session, settings=chosen, budget=10)

    return run
