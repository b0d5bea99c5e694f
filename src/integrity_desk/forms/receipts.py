"""The confirmation e-mail a public form owes (DSA Art. 16(4), Art. 20): in the language the
person used the form in, queued in the outbox in the same transaction as the case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.cases.models import Case
from integrity_desk.messages.domain import MessageKind, render
from integrity_desk.messages.service import queue_text


def confirm(session: Session, *, cases: list[Case], to: str | None, name: str | None,
            language: str, key: str, actor: Actor, now: datetime) -> None:
    """One receipt for what one form sent (which may have opened or joined several cases)."""
    if not cases or not to:
        return
    first = cases[0]
    # The case kind, not a phrase: the template names what it confirms in its own language.
    subject, body, used = render(MessageKind.RECEIPT, language, {
        "case_key": ", ".join(c.key for c in cases), "name": name, "kind": first.kind,
        "received_at": now})
    queue_text(session, kind=MessageKind.RECEIPT, case=first, to=to, role="requester",
               subject=subject, body=body, language=used, key=key, actor=actor, now=now)
