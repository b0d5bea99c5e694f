"""Intake: a validated request becomes a triaged case in its queue with a running SLA clock,
or joins the open case about the same subject as a linked request.

Dedupe rule (documented in docs/api.md): flags, trusted-flagger notices, CSM and executive
escalations join an open case of the same kind about the same primary subject (the review, or
the business for escalations); appeals join an open appeal against the same decision. Legal
notices and investigations never join automatically: each letter carries its own legal duty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record_many, record_new_chains
from integrity_desk.cases.domain import DEFAULT_TIER, CaseKind, CaseStatus
from integrity_desk.cases.models import Case, CaseRequest, CaseSubject, CaseTag
from integrity_desk.configuration import desk_config
from integrity_desk.intake import requests as req
from integrity_desk.intake.schemas import CaseIn, FlagIn
from integrity_desk.sla.service import apply_clock
from integrity_desk.subjects.service import business_review_counts

_flag_adapter: TypeAdapter[FlagIn] = TypeAdapter(FlagIn)


@dataclass
class IntakeOutcome:
    case: Case
    created: bool


class Intake:
    """One unit of work's intake: configuration (rules, policies, queues) is read once."""

    def __init__(self, session: Session, *, now: datetime, actor: Actor) -> None:
        self.session = session
        self.now = now
        self.actor = actor
        config = desk_config(session)
        self.rules, self.sla, self.queues = config.rules, config.sla, config.queues

    # -- single requests -------------------------------------------------------------------
    def submit(self, payload: CaseIn) -> IntakeOutcome:
        draft = req.draft_for(self.session, payload, now=self.now, actor=self.actor)
        if draft.dedupe_key:
            existing = self._open_case_for(draft.dedupe_key)
            if existing is not None:
                self._link([(existing, draft)])
                return IntakeOutcome(existing, created=False)
        try:
            with self.session.begin_nested():
                case = self.open_cases([draft])[0]
        except IntegrityError:
            # A concurrent request opened the same case first: join it.
            existing = self._open_case_for(draft.dedupe_key or "")
            if existing is None:
                raise
            self._link([(existing, draft)])
            return IntakeOutcome(existing, created=False)
        return IntakeOutcome(case, created=True)

    # -- batches of flags ------------------------------------------------------------------
    def submit_flags(self, items: list[Any]) -> list[dict[str, Any]]:
        """Validate each item on its own; open or join cases for the valid ones in bulk."""
        results: list[dict[str, Any]] = [{"index": i} for i in range(len(items))]
        valid: list[tuple[int, FlagIn]] = []
        for i, item in enumerate(items):
            try:
                valid.append((i, _flag_adapter.validate_python(item)))
            except ValidationError as exc:
                results[i].update(status="invalid", errors=_errors(exc))
        if not valid:
            return results
        drafts = req.flag_drafts(self.session, [f for _, f in valid], now=self.now)
        for attempt in range(3):
            try:
                with self.session.begin_nested():
                    outcomes = self._bulk(drafts)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        for (i, _), (case, created) in zip(valid, outcomes, strict=True):
            results[i].update(status="created" if created else "linked", case=case.key)
        return results

    def _bulk(self, drafts: list[req.Draft]) -> list[tuple[Case, bool]]:
        keys = {d.dedupe_key for d in drafts if d.dedupe_key}
        existing = {
            c.dedupe_key: c for c in self.session.scalars(
                select(Case).where(Case.dedupe_key.in_(keys), Case.is_open)
            )
        } if keys else {}
        to_open: list[req.Draft] = []
        opened_for: dict[str, int] = {}
        plan: list[tuple[str, Any]] = []
        for d in drafts:
            if d.dedupe_key and d.dedupe_key in existing:
                plan.append(("link", existing[d.dedupe_key]))
            elif d.dedupe_key and d.dedupe_key in opened_for:
                plan.append(("link-new", opened_for[d.dedupe_key]))
            else:
                if d.dedupe_key:
                    opened_for[d.dedupe_key] = len(to_open)
                plan.append(("open", len(to_open)))
                to_open.append(d)
        opened = self.open_cases(to_open)
        links: list[tuple[Case, req.Draft]] = []
        outcomes: list[tuple[Case, bool]] = []
        for (action, target), d in zip(plan, drafts, strict=True):
            if action == "open":
                outcomes.append((opened[target], True))
            else:
                case = target if action == "link" else opened[target]
                links.append((case, d))
                outcomes.append((case, False))
        if links:
            self._link(links)
        return outcomes

    # -- shared mechanics ------------------------------------------------------------------
    def _open_case_for(self, dedupe_key: str) -> Case | None:
        return self.session.scalar(
            select(Case).where(Case.dedupe_key == dedupe_key, Case.is_open).with_for_update()
        )

    def _earlier_cases(self, subjects: list[tuple[str, int]]) -> dict[tuple[str, int], int]:
        if not subjects:
            return {}
        types = {t for t, _ in subjects}
        ids = {i for _, i in subjects}
        rows = self.session.execute(
            select(CaseSubject.subject_type, CaseSubject.subject_id, func.count())
            .where(CaseSubject.subject_type.in_(types), CaseSubject.subject_id.in_(ids))
            .group_by(CaseSubject.subject_type, CaseSubject.subject_id)
        )
        return {(t, i): n for t, i, n in rows}

    def open_cases(self, drafts: list[req.Draft]) -> list[Case]:
        """Triage, route and clock the drafts; insert cases, subjects, tags and first events."""
        if not drafts:
            return []
        primaries = [d.subjects[0] for d in drafts if d.subjects]
        earlier = self._earlier_cases(primaries)
        reach = business_review_counts(self.session, [d.business_id for d in drafts])
        cases = []
        for d in drafts:
            facts = d.facts(
                now=self.now,
                earlier=earlier.get(d.subjects[0], 0) if d.subjects else 0,
                business_reviews=reach.get(d.business_id) if d.business_id else None,
            )
            result = self.rules.score(facts)
            tier = DEFAULT_TIER[CaseKind(d.kind)]
            if result.priority.rank == 0 and tier < 2:
                tier = 2  # a P0 is never left to tier-1 vendor moderation alone
            queue = self.queues.route(kind=d.kind, tier=tier, language=d.language)
            case = Case(
                kind=d.kind, channel=d.channel, title=d.title[:300], description=d.description,
                status=CaseStatus.TRIAGED, is_open=True, tier=tier,
                priority=result.priority.rank, priority_score=result.score,
                priority_reasons=[r.as_dict() for r in result.reasons],
                queue_id=queue.id if queue else None, category=d.category,
                language=d.language, legal_restricted=d.legal_restricted,
                legal_deadline=d.legal_deadline, requester_type=d.requester_type,
                requester_name=d.requester_name,
                requester_organisation=d.requester_organisation,
                requester_contact=d.requester_contact, customer_tier=d.customer_tier,
                revenue_at_stake=d.revenue_at_stake, details=d.details, tag_list=d.tags,
                dedupe_key=d.dedupe_key, created_at=self.now, updated_at=self.now,
                triaged_at=self.now, sla_paused_minutes=0.0,
            )
            apply_clock(case, self.sla, self.queues.team_calendar_id(case.queue_id))
            cases.append(case)
        self.session.add_all(cases)
        self.session.flush()
        subject_rows, tag_rows, events = [], [], []
        for case, d in zip(cases, drafts, strict=True):
            for n, (stype, sid) in enumerate(dict.fromkeys(d.subjects)):
                subject_rows.append(dict(case_id=case.id, subject_type=stype, subject_id=sid,
                                         role="primary" if n == 0 else "related"))
            tag_rows += [dict(case_id=case.id, tag=t) for t in dict.fromkeys(d.tags)]
            events.append(dict(
                case_id=case.id, kind="case.created", category="intake", actor=self.actor,
                at=self.now, payload={
                    "kind": case.kind, "channel": case.channel, "status": case.status,
                    "requester_type": case.requester_type, "priority": f"P{case.priority}",
                    "score": case.priority_score, "reasons": case.priority_reasons,
                    "tier": case.tier, "queue_id": case.queue_id,
                    "resolution_due_at": case.resolution_due_at,
                    "subjects": [f"{t}:{i}" for t, i in d.subjects],
                },
            ))
        if subject_rows:
            self.session.execute(insert(CaseSubject), subject_rows)
        if tag_rows:
            self.session.execute(insert(CaseTag), tag_rows)
        record_new_chains(self.session, events)
        return cases

    def _link(self, links: list[tuple[Case, req.Draft]]) -> None:
        counts: dict[int, int] = {}
        rows, events = [], []
        for case, d in links:
            counts[case.id] = counts.get(case.id, 0) + 1
            rows.append(dict(
                case_id=case.id, channel=d.channel, requester_type=d.requester_type,
                requester_name=d.requester_name, requester_organisation=d.requester_organisation,
                requester_contact=d.requester_contact, payload=d.details, received_at=self.now,
            ))
        self.session.execute(insert(CaseRequest), rows)
        for case_id, n in counts.items():
            self.session.execute(
                update(Case).where(Case.id == case_id)
                .values(linked_request_count=Case.linked_request_count + n, updated_at=self.now)
                .execution_options(synchronize_session=False)
            )
        for case, d in links:
            events.append(dict(
                case_id=case.id, kind="request.linked", category="intake", actor=self.actor,
                at=self.now, payload={"channel": d.channel, "requester_type": d.requester_type,
                                      "dedupe_key": d.dedupe_key},
            ))
        record_many(self.session, events)
        for case, _ in links:
            if case in self.session:
                self.session.expire(case, ["linked_request_count", "updated_at"])


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
        for e in exc.errors(include_url=False)
    ]

