"""What the lists of cases show (My work, the case list, bulk steps), shaped from loaded rows.

No queries here: the rows come from cases.repository with their queue and assignee joined.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from integrity_desk.cases.domain import KIND_WORDS, CaseKind, CaseStatus
from integrity_desk.cases.models import Case
from integrity_desk.privacy.domain import mask_text
from integrity_desk.sla.clock import duration_words
from integrity_desk.sla.service import resolution_clock
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
    ticking: bool = False  # only a running clock: clock.js counts it down
    left: str = ""  # a running clock's time left or overdue, to the minute ("2 h 10 m")
    harm: str | None = None  # its own title or description is harmful to view (hidden)

    @property
    def sla_sentence(self) -> str:
        """The SLA cell in words (its title, and what a list's compact cell abbreviates):
        "Resolution at risk: 02:10:33 left; due 2026-12-07 15:00 UTC"."""
        due = f"; due {self.due[:16].replace('T', ' ')} UTC" if self.due else ""
        if self.ticking:
            return f"Resolution {SLA_LABELS[self.sla_state]}: {self.countdown}{due}"
        if self.sla_state is None:
            return "No SLA applies"
        return f"Resolution: {self.sla_label}{due}"

    @property
    def sla_label(self) -> str:
        """A stopped clock says its outcome ("breached by 2 h", "paused, 40 m left"), a
        running one its state beside the countdown."""
        if not self.ticking and self.sla_state is not None and self.countdown != "–":
            return self.countdown
        return SLA_LABELS.get(self.sla_state, self.sla_state or "no SLA")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


def case_row(case: Case, now: datetime) -> CaseRow:
    """A row; title masked as cases/schemas.py masks it, SLA state and text from
    sla.service.resolution_clock, as the case view and the API read it: a finished clock
    says "met" or "breached by 2 h", a paused one "paused, 3 h left"; only a running one
    ticks."""
    clock = resolution_clock(case, now)
    state_value = clock.state.value if clock.state is not None else None
    text = countdown(case.resolution_due_at, now) if clock.ticking else clock.words
    return CaseRow(
        key=case.key, kind=case.kind, title=mask_text(case.title), priority=f"P{case.priority}",
        status=case.status, queue=case.queue.name if case.queue_id and case.queue else None,
        assignee=case.assignee.name if case.assignee_id and case.assignee else None,
        sla_state=state_value, due=iso(case.resolution_due_at),
        at_risk=iso(case.resolution_at_risk_at), countdown=text, tags=list(case.tag_list or []),
        ticking=clock.ticking, harm=case.text_harm,
        left=duration_words(clock.left) if clock.ticking and clock.left is not None else "")
