"""What the QA pages show: items with their cases and people in two reads, a decision's
summary for the reviewer, and the review form's errors read back from the posted form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.decisions.models import Decision, Guideline
from integrity_desk.quality import review
from integrity_desk.quality.models import QaForm, QaItem
from integrity_desk.web.forms import text, value

STATUS_WORDS = {"waiting": "waiting for a reviewer", "in_review": "in review",
                "reviewed": "reviewed", "disputed": "disputed: a lead settles it",
                "settled": "settled"}


@dataclass(frozen=True)
class ItemLine:
    item: QaItem
    case_key: str
    person: str | None
    reviewer: str | None

    @property
    def status(self) -> str:
        return STATUS_WORDS.get(self.item.status, self.item.status)

    @property
    def result(self) -> str:
        if self.item.correct is None:
            return "–"
        return ("correct" if self.item.correct else "not correct") + f" ({self.item.score})"


def lines(session: Session, items: Sequence[QaItem], *, show_person: bool) -> list[ItemLine]:
    cases, names = review.keys_and_names(session, items)
    return [ItemLine(i, cases.get(i.case_id, str(i.case_id)),
                     names.get(i.person_id) if show_person and i.person_id else None,
                     names.get(i.reviewer_id) if i.reviewer_id else None) for i in items]


@dataclass(frozen=True)
class DecisionSummary:
    outcome: str
    guideline: str | None
    guideline_title: str | None
    explanation: str
    facts: str
    decided_at: datetime
    status: str


def decision_of(session: Session, item: QaItem) -> DecisionSummary | None:
    row = session.execute(select(Decision, Guideline.code, Guideline.title)
                          .outerjoin(Guideline, Guideline.id == Decision.guideline_id)
                          .where(Decision.id == item.decision_id)).first()
    if row is None:
        return None
    d, code, title = row
    return DecisionSummary(d.outcome, code, title, d.explanation, d.facts, d.decided_at,
                           d.status)


def findings_from(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ticked error categories, each with its note and (where changed) its severity; the
    service checks them against the item's form."""
    ticked = form.getlist("error") if hasattr(form, "getlist") else []
    out = []
    for code in ticked:
        if not isinstance(code, str):
            continue
        note = text(value(form, f"note-{code}"), f"note-{code}", max_length=2_000,
                    label=f"Note on {code}")
        severity = value(form, f"severity-{code}") or None
        out.append({"category": code, "severity": severity, "note": note})
    return out


def form_rows(qa_form: QaForm, item: QaItem | None) -> list[dict[str, Any]]:
    """The form's categories with what the item holds for each (ticked, severity, note)."""
    found = {f["category"]: f for f in (item.findings if item else []) or []}
    return [{**c, "ticked": c["code"] in found,
             "chosen": found.get(c["code"], {}).get("severity", c["severity"]),
             "note": found.get(c["code"], {}).get("note", "")} for c in qa_form.categories]
