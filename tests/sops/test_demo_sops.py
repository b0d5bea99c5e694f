"""The demo desk: every case kind has an SOP with required items, and its decisions were
still made — each under its kind's SOP, with the required items ticked on the timeline."""

from __future__ import annotations

from sqlalchemy import func, select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.domain import CaseKind
from integrity_desk.db import Database
from integrity_desk.decisions.models import Decision
from integrity_desk.demo.seed import seed_demo
from integrity_desk.sops import service
from integrity_desk.sops.models import Sop


def test_the_demo_gives_every_kind_an_sop_and_still_decides(db: Database) -> None:
    seed_demo(db, cases=40)
    with db.session() as s:
        current = service.current(s)
        assert {x.kind for x in current} == {k.value for k in CaseKind}
        for sop in current:
            assert 3 <= len(sop.items) <= 6, sop.kind
            assert any(i.required for i in sop.items) and not all(i.required
                                                                  for i in sop.items)
        decisions = s.execute(select(Decision.kind, Decision.sop_id)).all()
        assert decisions, "the demo decided nothing"
        assert all(sop_id is not None for _, sop_id in decisions)
        sop_ids = set(s.scalars(select(Sop.id)))
        assert {sop_id for _, sop_id in decisions} <= sop_ids
        ticks = s.scalar(select(func.count()).where(AuditEvent.kind == "sop.item_ticked"))
        assert ticks and ticks >= len(decisions)
