"""A real SMTP server (aiosmtpd) in the test process that keeps what it accepts and answers
4xx/5xx on demand, and steps the mail tests share."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case
from integrity_desk.config import Settings
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.service import Intake
from integrity_desk.messages.delivery import deliver_due
from integrity_desk.messages.domain import MessageKind
from integrity_desk.messages.service import Text, queue_texts
from tests import factories as f


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


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox(free_port())
    box.start()
    yield box
    box.stop()


@pytest.fixture
def mail_settings(inbox: Inbox) -> Settings:
    return Settings(secret_key="test-secret", smtp_url=f"smtp://127.0.0.1:{inbox.port}",
                    mail_from="Integrity Desk <desk@desk.example>",
                    mail_reply_address="Desk replies <replies@desk.example>",
                    mail_backoff_base_seconds=0.001, mail_backoff_cap_seconds=0.002,
                    mail_max_attempts=4, mail_timeout_seconds=5, mail_connections=2)


@pytest.fixture
def deliver(db: Database, mail_settings: Settings) -> Callable[..., dict[str, int]]:
    def run(**over: Any) -> dict[str, int]:
        chosen = mail_settings.model_copy(update=over) if over else mail_settings
        with db.session() as session:
            return deliver_due(session, settings=chosen, budget=20)

    return run


def make_cases(db: Database, n: int, *, prefix: str = "m") -> list[int]:
    """``n`` flag cases, through the intake (their ids)."""
    with db.session() as s:
        Intake(s, now=utcnow(), actor=SYSTEM).submit_flags(
            [f.flag(f"{prefix}{i}") for i in range(n)])
    with db.session() as s:
        return list(s.scalars(select(Case.id).order_by(Case.id)))[-n:]


def queue_letters(db: Database, case_ids: list[int], *, per_case: int = 1,
                  kind: MessageKind = MessageKind.DECISION_NOTICE, to: str = "ann@example.org",
                  language: str = "en") -> list[int]:
    """Queue ``per_case`` plain letters on each case; the outbox ids, in order."""
    ids: list[int] = []
    with db.session() as s:
        for case_id in case_ids:
            case = s.get(Case, case_id)
            assert case is not None
            texts = [Text(kind=kind, to=to, role="notifier", subject=f"Letter {n} on {case.key}",
                          body=f"Dear Ann,\n\nletter {n}: ünïcödé and a long line.\n",
                          language=language, key=f"test:{case_id}:{n}:{kind.value}")
                     for n in range(per_case)]
            ids += [i for i in queue_texts(s, texts, case=case, actor=SYSTEM, now=utcnow())
                    if i is not None]
    return ids
