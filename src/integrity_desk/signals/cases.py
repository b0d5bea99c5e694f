"""What strong findings do: open an investigation case, or enrich an open case instead.

A finding at or above the desk's threshold (``signal_open_threshold``) that no case holds yet
goes to a case. If a case about the same business (the business itself or one of its reviews)
or one of the same accounts is open, it is enriched: the finding is linked to it, its reviews
and accounts join as related subjects — except those a person dropped from it, which stay out
(investigations.members) — and the timeline says what was found. Otherwise one
investigation case is opened for the business with every such finding of the run, its dedupe
key (``signals:business:<id>``) keeping a second run — or a second worker — from opening
another while it is open. Its priority comes from triage, whose ``fraud-signal`` rule reads the
strongest finding's strength.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.domain import CaseKind, GuidelineCategory
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.db import upsert_insert
from integrity_desk.intake import requests as req
from integrity_desk.intake.schemas import InvestigationIn, ReviewIn
from integrity_desk.investigations.members import keep_dropped_out
from integrity_desk.signals.compose import Finding
from integrity_desk.signals.models import Signal
from integrity_desk.subjects.models import Review

if TYPE_CHECKING:
    from integrity_desk.signals.service import Loaded

# Subjects a run adds to one case at most: a campaign of thousands of reviews is worked from
# the signal's own member list (the investigation workspace), not from the case's subjects.
MAX_SUBJECTS = 200
KIND_WORDS = {"burst": "a burst of reviews", "duplicates": "copied texts", "ring": "a ring of "
              "accounts", "reviewer_risk": "high-risk accounts"}


@dataclass(frozen=True)
class Acted:
    case_key: str
    opened: bool


def act(session: Session, loaded: Loaded, pairs: Sequence[tuple[Finding, Signal]], *,
        now: datetime, actor: Actor, open_at: float) -> Acted | None:
    strong = [(f, s) for f, s in pairs if f.strength >= open_at and s.case_id is None]
    if not strong:
        return None
    reviewers = sorted({r for f, _ in strong for r in f.reviewers})
    reviewer_ids = [loaded.reviewer_ids[r] for r in reviewers if r in loaded.reviewer_ids]
    open_case = _open_case_about(session, loaded.business_id, reviewer_ids)
    opened = False
    if open_case is None:
        open_case = _open(session, loaded, strong, reviewers, now=now, actor=actor)
        opened = open_case is not None
        if open_case is None:  # a concurrent run opened it first: enrich that one
            open_case = session.scalars(select(Case).where(
                Case.dedupe_key == _dedupe_key(loaded.business_id), Case.is_open)).one()
    if not opened:
        _add_subjects(session, open_case.id, loaded, strong)
    session.execute(update(Signal).where(Signal.id.in_([s.id for _, s in strong]))
                    .values(case_id=open_case.id))
    record(session, kind="signals.found", category="investigation", actor=actor,
           case_id=open_case.id, at=now, payload={
               "business": loaded.domain, "opened": opened,
               "findings": [{"signal": s.id, "kind": f.kind, "strength": f.strength,
                             "explanation": f.explanation} for f, s in strong]})
    return Acted(open_case.key, opened)


def _open_case_about(session: Session, business_id: int, reviewer_ids: Sequence[int]
                     ) -> Case | None:
    """The open case about this business — itself or one of its reviews — or one of these
    accounts: an investigation first, then the oldest."""
    about = or_(and_(CaseSubject.subject_type == "business",
                     CaseSubject.subject_id == business_id),
                and_(CaseSubject.subject_type == "review", CaseSubject.subject_id.in_(
                    select(Review.id).where(Review.business_id == business_id))),
                and_(CaseSubject.subject_type == "reviewer",
                     CaseSubject.subject_id.in_(list(reviewer_ids) or [-1])))
    return session.scalars(
        select(Case).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(Case.is_open, about)
        .order_by(case((Case.kind == CaseKind.INVESTIGATION, 0), else_=1), Case.id)
        .limit(1)).first()


def _dedupe_key(business_id: int) -> str:
    return f"signals:business:{business_id}"


def _open(session: Session, loaded: Loaded, strong: Sequence[tuple[Finding, Signal]],
          reviewers: Sequence[str], *, now: datetime, actor: Actor) -> Case | None:
    from integrity_desk.intake.service import Intake  # intake is heavy; signals load it late

    ordered = sorted(strong, key=lambda pair: -pair[0].strength)
    kinds = [KIND_WORDS[k] for k in dict.fromkeys(f.kind for f, _ in ordered)]
    reviews = list(dict.fromkeys(r for f, _ in ordered for r in f.reviews))[:MAX_SUBJECTS]
    description = "\n".join(f"- {f.explanation} (strength {f.strength:.2f})"
                            for f, _ in ordered)[:20_000]
    payload = InvestigationIn(
        kind="investigation", title=f"Signals on {loaded.domain}: {', '.join(kinds)}"[:300],
        description=description, category=GuidelineCategory.FAKE,
        hypothesis="Opened by the fraud signals; each finding's evidence is on the timeline.",
        business_domains=[loaded.domain], reviews=[ReviewIn(ref=r) for r in reviews],
        reviewer_refs=list(reviewers)[:MAX_SUBJECTS], tags=["signals"])
    draft = req.draft_for(session, payload, now=now, actor=actor)
    draft.signal_score = ordered[0][0].strength
    draft.dedupe_key = _dedupe_key(loaded.business_id)
    return Intake(session, now=now, actor=actor).open_cases([draft])[0]


def _add_subjects(session: Session, case_id: int, loaded: Loaded,
                  strong: Sequence[tuple[Finding, Signal]]) -> None:
    wanted: list[tuple[str, int]] = []
    for f, _ in strong:
        wanted += [("review", loaded.review_ids[r]) for r in f.reviews if r in loaded.review_ids]
        wanted += [("reviewer", loaded.reviewer_ids[r]) for r in f.reviewers
                   if r in loaded.reviewer_ids]
    # What a person dropped from the case stays out (investigations.members).
    kept = keep_dropped_out(session, case_id, list(dict.fromkeys(wanted)))
    rows = [{"case_id": case_id, "subject_type": t, "subject_id": i, "role": "related"}
            for t, i in kept[:MAX_SUBJECTS]]
    if rows:
        statement = upsert_insert(session)(CaseSubject).on_conflict_do_nothing(
            index_elements=["case_id", "subject_type", "subject_id"])
        session.execute(statement, rows)
