"""queue_texts, the bulk path of a decision's letters: each key queued once, each message on the
case's timeline once, statuses as queue_text gives them; on both databases."""

from __future__ import annotations

from sqlalchemy import func, select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.messages.domain import MessageKind
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.messages.service import Text, queue_texts
from tests.dsa.support import make_case


def _text(key: str, to: str | None = None, hold: str | None = None) -> Text:
    return Text(kind=MessageKind.STATEMENT_OF_REASONS, to=to, role="reviewer",
                subject="Your review was removed", body="Dear reviewer,\n", language="en",
                key=key, hold=hold)


def test_each_key_is_queued_once_and_recorded_once(db: Database) -> None:
    case_id = make_case(db)
    now = utcnow()
    with db.session() as session:
        case = session.get_one(Case, case_id)
        ids = queue_texts(session, [_text("k1"), _text("k2", to="a@example.com"),
                                    _text("k3", to="b@example.com", hold="counsel"),
                                    _text("k1")], case=case, actor=SYSTEM, now=now)
        session.commit()
    assert ids[0] and ids[1] and ids[2] and ids[3] is None
    with db.session() as session:
        case = session.get_one(Case, case_id)
        # A retried decision queues nothing twice.
        assert queue_texts(session, [_text("k2"), _text("k4")], case=case, actor=SYSTEM,
                           now=now)[0] is None
        session.commit()
        statuses = dict(session.execute(select(OutboxMessage.idempotency_key,
                                               OutboxMessage.status)).all())
        assert statuses == {"k1": "no_address", "k2": "queued", "k3": "held",
                            "k4": "no_address"}
        kinds = list(session.scalars(select(AuditEvent.kind).where(
            AuditEvent.case_id == case_id, AuditEvent.kind.like("message.%"))
            .order_by(AuditEvent.seq)))
        assert kinds == ["message.no_address", "message.queued", "message.held",
                         "message.no_address"]
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 4
