"""A real SMTP server (aiosmtpd) in the test process that keeps what it accepts and answers
4xx/5xx on demand: the far side of the desk's outgoing mail in every test that sends some
(the ``inbox`` fixture in tests/conftest.py starts one)."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Inbox:
    """What the server accepted, and the answers it gives instead of 250 when told to:
    ``at_rcpt[address]`` and ``at_data`` are lists of replies used up one per message."""

    port: int
    received: list[Received] = field(default_factory=list)
    at_rcpt: dict[str, list[str]] = field(default_factory=dict)
    at_data: list[str] = field(default_factory=list)
    sessions: int = 0
    # The Message-ID of every message that reached DATA, refused ones too (retries show here).
    data_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def restart(self) -> None:
        """Stop and start the server on the same port: every open session is dropped."""
        self.stop()
        self.start()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        with self.lock:
            scripted = self.at_rcpt.get(address)
            if scripted:
                return scripted.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        with self.lock:
            self.data_ids.append(str(message_from_bytes(content)["Message-ID"]))
            if self.at_data:
                return self.at_data.pop(0)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          content))
        return "250 Message accepted"

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [r.message for r in self.received]
