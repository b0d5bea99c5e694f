"""What an overturned appeal does to the contested decision's statements of reasons.

The Transparency Database must match what the desk did (DSA Art. 24(5)). When an appeal
reverses restrictions, each statement of the contested decision that carried one of them is
put right: a statement the Commission never received is withdrawn (it is never sent), or, where
the subject keeps other restrictions, replaced by a version carrying only those; a statement the
Commission already holds cannot be recalled — its API takes no updates or deletions — so it is
followed by its next version (``puid-2``), which ends each lifted restriction on the day it was
lifted and says so in its facts. Each step is on the append-only submission log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.decisions.domain import RULES, ActionKind, Restriction
from integrity_desk.decisions.models import Decision, DecisionAction
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.dsa.service import correct_statement, withdraw_statement

# The wire fields of each kind of restriction: (the decision field, its end date).
WIRE: dict[Restriction, tuple[str, str]] = {
    Restriction.VISIBILITY: ("decision_visibility", "end_date_visibility_restriction"),
    Restriction.ACCOUNT: ("decision_account", "end_date_account_restriction"),
    Restriction.PROVISION: ("decision_provision", "end_date_service_restriction"),
}
FACTS_LIMIT = 5000


def _restricting(actions: list[DecisionAction]) -> list[DecisionAction]:
    return [a for a in actions if RULES[ActionKind(a.action)].restriction is not None]


def correct_after_appeal(session: Session, contested: Decision, reversed_: list[DecisionAction],
                         *, in_force: list[DecisionAction], subject_refs: dict[tuple[str, int],
                                                                                  str],
                         appeal_key: str, actor: str, now: datetime) -> list[dict[str, Any]]:
    """Withdraw or correct each statement of ``contested`` that carried a reversed restriction;
    returns what was done, for the timeline. ``in_force`` are the contested decision's actions
    that were in force before the appeal (the reversed ones among them)."""
    lifted = _restricting(reversed_)
    if not lifted:
        return []
    by_ref: dict[str, list[DecisionAction]] = {}
    for a in lifted:
        by_ref.setdefault(subject_refs[(a.subject_type, a.subject_id)], []).append(a)
    lifted_ids = {a.id for a in lifted}
    statements = session.scalars(
        select(DsaStatement).where(DsaStatement.decision_id == contested.id,
                                   DsaStatement.subject_ref.in_(sorted(by_ref)),
                                   DsaStatement.status != "superseded")
        .order_by(DsaStatement.id)).all()
    reason = f"restrictions lifted on internal complaint {appeal_key} (DSA Art. 20)"
    done: list[dict[str, Any]] = []
    for statement in statements:
        gone = by_ref[statement.subject_ref]
        kept = [a for a in _restricting(in_force)
                if subject_refs.get((a.subject_type, a.subject_id)) == statement.subject_ref
                and a.id not in lifted_ids]
        if statement.status in ("queued", "parked"):
            if not kept:
                withdraw_statement(session, puid=statement.puid, actor=actor, reason=reason,
                                   now=now)
                done.append({"puid": statement.puid, "done": "withdrawn"})
                continue
            wire = _without(statement.statement, gone, kept)
        else:
            wire = _ended(statement.statement, gone, kept, now)
        new = correct_statement(session, puid=statement.puid, actor=actor, reason=reason,
                                statement=wire, now=now)
        done.append({"puid": statement.puid, "done": "corrected", "by": new.puid})
    return done


def _without(wire: dict[str, Any], gone: list[DecisionAction],
             kept: list[DecisionAction]) -> dict[str, Any]:
    """A statement never sent, carrying only the restrictions that stay."""
    out = dict(wire)
    kept_values = {RULES[ActionKind(a.action)].dsa_value for a in kept}
    for kind, (field, end_field) in WIRE.items():
        if not any(RULES[ActionKind(a.action)].restriction == kind for a in gone):
            continue
        if kind == Restriction.VISIBILITY:
            values = [v for v in out.get(field) or [] if v in kept_values]
            if values:
                out[field] = values
                continue
        out.pop(field, None)
        out.pop(end_field, None)
    if not out.get("decision_account") and not out.get("decision_provision"):
        out.pop("account_type", None)
    return out


def _ended(wire: dict[str, Any], gone: list[DecisionAction], kept: list[DecisionAction],
           now: datetime) -> dict[str, Any]:
    """The next version of a statement the Commission holds: each restriction lifted in full
    ends today; the facts say what was lifted, when and why."""
    out = dict(wire)
    kept_kinds = {RULES[ActionKind(a.action)].restriction for a in kept}
    for kind, (_, end_field) in WIRE.items():
        lifted = any(RULES[ActionKind(a.action)].restriction == kind for a in gone)
        if lifted and kind not in kept_kinds:
            out[end_field] = now.date().isoformat()
    measures = ", ".join(sorted({RULES[ActionKind(a.action)].label for a in gone}))
    note = (f" On {now.date().isoformat()} this was reversed on an internal complaint "
            f"(DSA Art. 20): {measures} lifted.")
    facts = str(out.get("decision_facts") or "")
    out["decision_facts"] = (facts[:FACTS_LIMIT - len(note)] + note).strip()
    return out
