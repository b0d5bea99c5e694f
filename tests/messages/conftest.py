"""Steps the outgoing-mail tests share: cases to write about, letters queued on them, and the
desk's settings pointing at the test's SMTP server (tests/smtp_sink.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.service import Intake
from integrity_desk.messages.delivery import deliver_due
from integrity_desk.messages.domain import MessageKind
from integrity_desk.messages.service import Text, queue_texts
from integrity_desk.settings import Settings
from tests import factories as f
from tests.smtp_sink import Inbox


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
