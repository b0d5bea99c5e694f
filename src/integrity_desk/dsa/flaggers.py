"""The trusted-flagger registry (DSA Art. 22): who holds the status, awarded by which Digital
Services Coordinator, for which areas; and how precise each flagger's notices turn out.

Precision (the share of decided notices that were acted on) is what the platform reports to the
awarding coordinator when a flagger sends many imprecise or unsubstantiated notices.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.domain import GuidelineCategory
from integrity_desk.cases.models import Case
from integrity_desk.decisions.models import Decision
from integrity_desk.dsa.models import TrustedFlagger
from integrity_desk.errors import Conflict, InvalidInput, NotFound

EDITABLE = ("coordinator", "areas", "contact", "active", "country")


@dataclass(frozen=True)
class Precision:
    notices: int
    decided: int
    actioned: int
    median_hours_to_decision: float | None

    @property
    def precision(self) -> float | None:
        return round(self.actioned / self.decided, 4) if self.decided else None


def _check(values: dict[str, Any]) -> None:
    unknown = set(values.get("areas") or []) - {c.value for c in GuidelineCategory}
    if unknown:
        raise InvalidInput(f"unknown areas {sorted(unknown)}", field="areas")


def register(session: Session, *, name: str, country: str, coordinator: str, areas: list[str],
             contact: str | None, actor: Actor, now: datetime) -> TrustedFlagger:
    if session.scalar(select(TrustedFlagger.id).where(
            func.lower(TrustedFlagger.name) == name.strip().lower())):
        raise Conflict(f"{name!r} is in the registry already", field="name")
    _check({"areas": areas})
    flagger = TrustedFlagger(name=name.strip(), country=country, coordinator=coordinator,
                             areas=sorted(set(areas)), contact=contact, active=True,
                             awarded_at=now)
    session.add(flagger)
    session.flush()
    record(session, kind="trusted_flagger.registered", category="audit", actor=actor,
           chain_key="dsa", at=now, payload={"id": flagger.id, "name": flagger.name,
                                             "coordinator": coordinator, "areas": flagger.areas})
    return flagger


def update(session: Session, flagger_id: int, changes: dict[str, Any], *, reason: str,
           actor: Actor, now: datetime) -> TrustedFlagger:
    """Change areas, contact, coordinator or status (a status the coordinator suspended or
    revoked is inactive: its notices are then ordinary notices)."""
    flagger = session.get(TrustedFlagger, flagger_id)
    if flagger is None:
        raise NotFound(f"no trusted flagger {flagger_id}", field="id")
    if not reason.strip():
        raise InvalidInput("say why (e.g. the coordinator's decision)", field="reason")
    _check(changes)
    if "areas" in changes:
        changes["areas"] = sorted(set(changes["areas"]))
    diff = {k: {"before": getattr(flagger, k), "after": v} for k, v in changes.items()
            if k in EDITABLE and getattr(flagger, k) != v}
    for name, change in diff.items():
        setattr(flagger, name, change["after"])
    session.flush()
    if diff:
        record(session, kind="trusted_flagger.changed", category="audit", actor=actor,
               chain_key="dsa", at=now, payload={"id": flagger.id, "changes": diff,
                                                 "reason": reason.strip()})
    return flagger


def precision(session: Session, flagger_ids: list[int]) -> dict[int, Precision]:
    """Notices, decided notices and acted-on notices of each flagger, in three queries."""
    if not flagger_ids:
        return {}
    flagger = Case.details["trusted_flagger_id"].as_integer()
    notices = dict(session.execute(
        select(flagger, func.count()).where(Case.kind == "trusted_flagger_notice",
                                            flagger.in_(flagger_ids))
        .group_by(flagger)).all())
    decided: dict[int, list[tuple[str, float]]] = {}
    for fid, outcome, created_at, decided_at in session.execute(
            select(flagger, Decision.outcome, Case.created_at, Decision.decided_at)
            .join(Decision, Decision.case_id == Case.id)
            .where(Case.kind == "trusted_flagger_notice", flagger.in_(flagger_ids),
                   Decision.kind == "decision", Decision.status == "applied")):
        decided.setdefault(fid, []).append(
            (outcome, (decided_at - created_at).total_seconds() / 3600))
    out = {}
    for fid in flagger_ids:
        rows = decided.get(fid, [])
        out[fid] = Precision(
            notices=notices.get(fid, 0), decided=len(rows),
            actioned=sum(1 for o, _ in rows if o == "action"),
            median_hours_to_decision=round(statistics.median(h for _, h in rows), 2)
            if rows else None)
    return out
