"""Time-limited restrictions end: the worker lifts them when their end date passes.

A suspension of a reviewer, a restriction of a business's features, a consumer warning or a
review hidden pending investigation may be decided for a number of days (the action's
``ends_at``); a misuse suspension (DSA Art. 23) runs for the line's days too. The statement
of reasons told the person when it ends, so it must then end in fact, not when someone
remembers: otherwise the desk keeps restricting without a decision behind it.

Lifting goes through the decision's own effect functions (``reverse_effects`` puts the state
before back), only while the subject still shows what the action did: a later decision that
changed the subject again (a longer suspension, features ended for good) is not undone by the
end of an earlier, shorter one — that action is closed as superseded and the subject left as
it is. Each end is recorded on the case's timeline.

Safe when two workers run it at once: the due actions are read ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL (the other worker takes the next ones), and each is claimed by a conditional UPDATE
(``closed_at IS NULL``) whose RETURNING says which ones this run won — on SQLite as well,
where there is no row locking. Run twice, the second run finds nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, exists, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM, record
from integrity_desk.decisions.domain import SUBJECT_FIELDS, ActionKind
from integrity_desk.decisions.models import Decision, DecisionAction
from integrity_desk.decisions.service import SUBJECT_MODELS, reverse_effects
from integrity_desk.misuse.domain import Measure, PartyType
from integrity_desk.misuse.models import MisuseMeasure
from integrity_desk.subjects.models import Reviewer

JOB = "decisions.restrictions_end"
EVERY_SECONDS = 300  # restrictions are decided in days; lifted within minutes of their end
BATCH = 500

# Actions whose effect lasts until their end date (request_documentation has its own job).
ENDING = (ActionKind.SUSPEND_REVIEWER, ActionKind.RESTRICT_BUSINESS_FEATURES,
          ActionKind.CONSUMER_WARNING, ActionKind.HIDE_PENDING_INVESTIGATION)

# What a subject is once a restriction of this kind has run out, by the field that dates it:
# restoring "the state before" may bring back an earlier restriction that has ended meanwhile.
_ENDED: dict[str, dict[str, Any]] = {
    "suspended_until": {"status": "active", "suspended_until": None},
    "features_until": {"features_status": "full", "features_until": None},
    "consumer_warning_until": {"consumer_warning": None, "consumer_warning_until": None},
}


def end_restrictions(session: Session, *, now: datetime) -> dict[str, int]:
    """Lift what is due (one batch of decision actions, then misuse suspensions)."""
    lifted, superseded = _end_actions(session, now)
    misuse = _end_misuse_suspensions(session, now)
    return {"lifted": lifted, "superseded": superseded, "misuse_suspensions": misuse}


def _claim(session: Session, now: datetime) -> list[DecisionAction]:
    due = list(session.scalars(
        select(DecisionAction.id)
        .where(DecisionAction.action.in_([a.value for a in ENDING]),
               DecisionAction.ends_at <= now, DecisionAction.closed_at.is_(None),
               DecisionAction.applied_at.is_not(None))
        .order_by(DecisionAction.ends_at, DecisionAction.id).limit(BATCH)
        .with_for_update(skip_locked=True)))
    if not due:
        return []
    won = list(session.scalars(
        update(DecisionAction)
        .where(DecisionAction.id.in_(due), DecisionAction.closed_at.is_(None))
        .values(closed_at=now).returning(DecisionAction.id)
        .execution_options(synchronize_session=False)))
    if not won:
        return []
    return list(session.scalars(select(DecisionAction).where(DecisionAction.id.in_(won))
                                .order_by(DecisionAction.ends_at, DecisionAction.id)
                                .execution_options(populate_existing=True)))


def _end_actions(session: Session, now: datetime) -> tuple[int, int]:
    actions = _claim(session, now)
    if not actions:
        return 0, 0
    case_of: dict[int, int] = {d: c for d, c in session.execute(
        select(Decision.id, Decision.case_id)
        .where(Decision.id.in_({a.decision_id for a in actions})))}
    lifted = superseded = 0
    for a in actions:
        model = SUBJECT_MODELS[a.subject_type]
        fields = SUBJECT_FIELDS[a.subject_type]
        row = session.execute(select(*[getattr(model, f) for f in fields])
                              .where(model.id == a.subject_id).with_for_update()).one()
        current = dict(zip(fields, row, strict=True))
        still_in_force = all(_same(current.get(k), v) for k, v in (a.after or {}).items())
        restored: dict[str, Any] | None = None
        if still_in_force:
            reverse_effects(session, [a], by=None, now=now)
            restored = dict(a.before or {})
            leftovers = _ended_leftovers(restored, now)
            if leftovers:  # an earlier restriction, itself over by now
                session.execute(update(model).where(model.id == a.subject_id)
                                .values(**leftovers)
                                .execution_options(synchronize_session=False))
                restored.update(leftovers)
            lifted += 1
        else:
            superseded += 1
        record(session, kind="restriction.ended", category="state", actor=SYSTEM,
               case_id=case_of[a.decision_id], at=now, payload={
                   "decision_id": a.decision_id, "action_id": a.id, "action": a.action,
                   "subject": f"{a.subject_type}:{a.subject_id}", "ends_at": a.ends_at,
                   "lifted": still_in_force, "restored": restored,
                   # A later decision changed the subject since: it stays as that one left it.
                   "superseded": not still_in_force})
    session.flush()
    return lifted, superseded


def _end_misuse_suspensions(session: Session, now: datetime) -> int:
    """Reactivate reviewers whose Art. 23 suspension ran out (a notifier's suspension needs no
    change: intake compares its end with the time a notice arrives). The conditional UPDATE
    is the claim: a reviewer is reactivated, and the end recorded, once."""
    measure = exists().where(
        MisuseMeasure.party_type == PartyType.REVIEWER,
        MisuseMeasure.measure == Measure.SUSPENSION,
        MisuseMeasure.party_key == cast(Reviewer.id, String),
        MisuseMeasure.ends_at == Reviewer.suspended_until)
    ended = session.execute(
        update(Reviewer)
        .where(and_(Reviewer.status == "suspended", Reviewer.suspended_until <= now, measure))
        .values(status="active", suspended_until=None)
        .returning(Reviewer.id)
        .execution_options(synchronize_session=False)).scalars().all()
    for reviewer_id in sorted(ended):
        record(session, kind="misuse.suspension_ended", category="audit", actor=SYSTEM,
               chain_key="misuse", at=now, payload={
                   "party_type": PartyType.REVIEWER.value, "party_key": str(reviewer_id)})
    return len(ended)


def _same(current: Any, recorded: Any) -> bool:
    """A field as the action left it (recorded as JSON: datetimes as ISO text)?"""
    if isinstance(current, datetime) and isinstance(recorded, str):
        try:
            return current == datetime.fromisoformat(recorded)
        except ValueError:
            return False
    return bool(current == recorded)


def _ended_leftovers(restored: dict[str, Any], now: datetime) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, ended in _ENDED.items():
        until = restored.get(key)
        if isinstance(until, str):
            until = datetime.fromisoformat(until)
        if until is not None and until <= now:
            out.update(ended)
    return out

