"""What the lists of cases show (My work, the case list, bulk steps), shaped from loaded rows.

No queries here: the rows come from cases.repository with their queue and assignee joined.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from integrity_desk.cases.domain import KIND_WORDS, CaseKind, CaseStatus
from integrity_desk.cases.models import Case
from integrity_desk.privacy.domain import mask_text
from integrity_desk.sla.service import resolution_state
from integrity_desk.web.render import countdown, iso

SLA_LABELS = {"on_track": "on track", "at_risk": "at risk", "breached": "breached",
              "paused": "paused", "met": "met", None: "no SLA"}
KIND_LABELS = {k.value: KIND_WORDS[k] for k in CaseKind}
STATUS_LABELS = {s.value: s.value.replace("_", " ") for s in CaseStatus}


@dataclass(frozen=True)
class CaseRow:
    key: str
    kind: str
    title: str
    priority: str
    status: str
    queue: str | None
    assignee: str | None
    sla_state: str | None
    due: str | None  # ISO 8601, for <time datetime> and clock.js
    at_risk: str | None
    countdown: str
    tags: list[str]

    @property
    def sla_label(self) -> str:
        return SLA_LABELS.get(self.sla_state, self.sla_state or "no SLA")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def ticking(self) -> bool:
        """Only a running clock ticks: a paused, met or absent one shows a fixed text."""
        return self.sla_state in ("on_track", "at_risk", "breached")


def case_row(case: Case, now: datetime) -> CaseRow:
    """A row; title masked as cases/schemas.py masks it, SLA state as its ``_sla`` computes
    it (merged cases have none)."""
    state = resolution_state(case, now) if case.status != CaseStatus.MERGED else None
    state_value = state.value if state is not None else None
    if state_value == "paused":
        text = "paused"
    elif state_value == "met":
        text = "met"
    else:
        text = countdown(case.resolution_due_at, now)
    return CaseRow(
        key=case.key, kind=case.kind, title=mask_text(case.title), priority=f"P{case.priority}",
        status=case.status, queue=case.queue.name if case.queue_id and case.queue else None,
        assignee=case.assignee.name if case.assignee_id and case.assignee else None,
        sla_state=state_value, due=iso(case.resolution_due_at),
        at_risk=iso(case.resolution_at_risk_at), countdown=text, tags=list(case.tag_list or []))
