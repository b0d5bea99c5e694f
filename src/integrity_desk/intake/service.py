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
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from integrity_desk.audit.service import Actor, record_many, record_new_chains
from integrity_desk.bulk import BulkInsert
from integrity_desk.cases.domain import DEFAULT_TIER, CaseKind, CaseStatus, case_key
from integrity_desk.cases.models import Case, CaseRequest, CaseSubject, CaseTag
from integrity_desk.cases.repository import SubjectView, readable_ids
from integrity_desk.configuration.service import desk_config
from integrity_desk.inputs import InputRefused, check_json
from integrity_desk.intake import requests as req
from integrity_desk.intake.schemas import CaseIn, FlagIn
from integrity_desk.people.models import User
from integrity_desk.routing import intervals, push
from integrity_desk.routing.choose import CaseFacts
from integrity_desk.sla.service import apply_clock
from integrity_desk.subjects.models import Review
from integrity_desk.triage.harm import classify, merge_harms

_flag_adapter: TypeAdapter[FlagIn] = TypeAdapter(FlagIn)
# Every column of a new case, so a multi-row insert has one shape for all its rows.
_BLANK_CASE: dict[str, Any] = {
    c.key: None for c in Case.__table__.columns if c.key != "id"
} | {"linked_request_count": 0, "sla_paused_minutes": 0.0}


# Hot statements built once (building them cost more than running them).
_EARLIER_CASES = (
    select(CaseSubject.subject_type, CaseSubject.subject_id, func.count())
    .where(CaseSubject.subject_type.in_(bindparam("types", expanding=True)),
           CaseSubject.subject_id.in_(bindparam("ids", expanding=True)))
    .group_by(CaseSubject.subject_type, CaseSubject.subject_id)
)


_OPEN_CASE_INSERT = BulkInsert(
    Case.__table__, list(_BLANK_CASE), conflict=["dedupe_key"],
    conflict_where="is_open AND dedupe_key IS NOT NULL", returning=["id", "dedupe_key"])
_INSERT_SUBJECTS = BulkInsert(CaseSubject.__table__, ["case_id", "subject_type", "subject_id",
                                                      "role"])
_INSERT_TAGS = BulkInsert(CaseTag.__table__, ["case_id", "tag"])
_INSERT_REQUESTS = BulkInsert(CaseRequest.__table__, [
    "case_id", "channel", "requester_type", "requester_name", "requester_organisation",
    "requester_contact", "payload", "received_at"])


class ClockFacts:
    """A case row seen through the attributes the SLA clock reads and writes."""

    def __init__(self, row: dict[str, Any]) -> None:
        object.__setattr__(self, "_row", row)

    def __getattr__(self, name: str) -> Any:
        return self._row[name]

    def __setattr__(self, name: str, value: Any) -> None:
        self._row[name] = value


class CaseRef(NamedTuple):
    id: int
    kind: str

    @property
    def key(self) -> str:
        return case_key(self.kind, self.id)


@dataclass
class IntakeOutcome:
    case: Case
    created: bool
    # The request's own reference, always safe to tell the sender.
    receipt: str
    # Whether the person filing may read the case it landed in (True when no person filed it:
    # a public form decides for itself what its sender is told).
    readable: bool = True
    # The new case's subjects as a view shows them, when the draft knew them already.
    shown: list[SubjectView] | None = None
    # Who sent this request (the case's own requester when it opened one): a joined notice
    # is confirmed to its own sender.
    sender_name: str | None = None
    sender_contact: str | None = None


class Intake:
    """One unit of work's intake: configuration (rules, policies, queues) is read once."""

    def __init__(self, session: Session, *, now: datetime, actor: Actor,
                 viewer: User | None = None) -> None:
        self.session = session
        self.now = now
        self.actor = actor
        # The person filing, where there is one: what intake looks up on their behalf (the
        # case an appeal contests) is bounded by what they may read.
        self.viewer = viewer
        config = desk_config(session)
        self.rules, self.sla, self.queues = config.rules, config.sla, config.queues

    # -- single requests -------------------------------------------------------------------
    def submit(self, payload: CaseIn) -> IntakeOutcome:
        """Open a case, or join the open one with the same dedupe key.

        The insert itself decides (ON CONFLICT DO NOTHING on the open-dedupe index): no
        look-before-you-leap read, and two simultaneous requests cannot both open a case.
        """
        draft = req.draft_for(self.session, payload, now=self.now, actor=self.actor,
                              viewer=self.viewer)
        for _ in range(3):
            opened = self.open_cases([draft])
            if opened[0] is not None:
                return IntakeOutcome(opened[0], created=True, receipt=draft.receipt,
                                     readable=self._readable(opened[0].id), shown=draft.shown)
            existing = self._open_case_for(draft.dedupe_key or "")
            if existing is not None:
                self._link([(existing, draft)])
                return IntakeOutcome(existing, created=False, receipt=draft.receipt,
                                     readable=self._readable(existing.id),
                                     sender_name=draft.requester_name,
                                     sender_contact=draft.requester_contact)
            # The case it collided with closed in between: try to open again.
        raise RuntimeError(f"could not open or join a case for {draft.dedupe_key}")

    def join(self, case: Case, draft: req.Draft) -> None:
        """Join a request to a case it names itself (a reply by e-mail carrying the case's
        token), whatever its dedupe key: the sender answered that case."""
        self._link([(case, draft)])

    # -- batches of flags ------------------------------------------------------------------
    def submit_flags(self, items: list[Any], *, cleared: bool = False) -> list[dict[str, Any]]:
        """Validate each item on its own; open or join cases for the valid ones in bulk.

        Whatever is wrong with one item (not an object, a NUL character, a bad field) is that
        item's answer; the others land. Each answer carries the request's receipt, and the
        case's key only where the person filing may read that case.
        """
        results: list[dict[str, Any]] = [{"index": i} for i in range(len(items))]
        valid: list[tuple[int, FlagIn]] = []
        for i, item in enumerate(items):
            problems = item_problems(item, cleared=cleared)
            if problems:
                results[i].update(status="invalid", errors=problems)
                continue
            try:
                valid.append((i, _flag_adapter.validate_python(item)))
            except ValidationError as exc:
                results[i].update(status="invalid", errors=_errors(exc))
        # A suspended notifier's flag is refused in its place (DSA Art. 23(2)); the rest land.
        refused = req.suspended_flags(self.session, [fl for _, fl in valid], now=self.now)
        for n, error in refused.items():
            results[valid[n][0]].update(status="refused", errors=[error])
        valid = [v for n, v in enumerate(valid) if n not in refused]
        if not valid:
            return results
        drafts = req.flag_drafts(self.session, [f for _, f in valid], now=self.now)
        outcomes = self._bulk(drafts)
        readable = self._readable_ids([case.id for case, _ in outcomes])
        for (i, _), d, (case, created) in zip(valid, drafts, outcomes, strict=True):
            results[i].update(status="created" if created else "linked", receipt=d.receipt)
            if case.id in readable:
                results[i]["case"] = case.key
        return results

    def _readable(self, case_id: int) -> bool:
        return case_id in self._readable_ids([case_id])

    def _readable_ids(self, case_ids: list[int]) -> set[int]:
        if self.viewer is None:
            return set(case_ids)
        return readable_ids(self.session, self.viewer, case_ids)

    def _open_refs(self, keys: set[str]) -> dict[str, CaseRef]:
        if not keys:
            return {}
        return {key: CaseRef(case_id, kind) for case_id, kind, key in self.session.execute(
            select(Case.id, Case.kind, Case.dedupe_key)
            .where(Case.dedupe_key.in_(keys), Case.is_open))}

    def _bulk(self, drafts: list[req.Draft]) -> list[tuple[CaseRef, bool]]:
        existing = self._open_refs({d.dedupe_key for d in drafts if d.dedupe_key})
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
        opened = [CaseRef(r["id"], r["kind"]) if r else None for r in self._open_rows(to_open)]
        # A case another request opened meanwhile made our insert a no-op: join that one.
        existing.update(self._open_refs(
            {d.dedupe_key for d, c in zip(to_open, opened, strict=True) if c is None
             and d.dedupe_key}))
        links: list[tuple[Any, req.Draft]] = []
        outcomes: list[tuple[CaseRef, bool]] = []
        for (action, target), d in zip(plan, drafts, strict=True):
            if action == "open" and opened[target] is not None:
                outcomes.append((opened[target], True))
                continue
            if action == "open" or (action == "link-new" and opened[target] is None):
                case = existing[d.dedupe_key]
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
        rows = self.session.execute(_EARLIER_CASES, {
            "types": sorted({t for t, _ in subjects}), "ids": sorted({i for _, i in subjects})})
        return {(t, i): n for t, i, n in rows}

    def open_cases(self, drafts: list[req.Draft]) -> list[Case | None]:
        """Open the drafts as cases of this session (None where an open case holds its key)."""
        rows = self._open_rows(drafts)
        cases: list[Case | None] = []
        for row in rows:
            if row is None:
                cases.append(None)
                continue
            case = Case(**row)
            # In the database already: make it a persistent object with every column loaded,
            # as a flush would have.
            make_transient_to_detached(case)
            self.session.add(case)
            if row["assignee_id"] is not None:  # pushed: its person is in the session already
                set_committed_value(case, "assignee", self.session.get(User, row["assignee_id"]))
            cases.append(case)
        return cases

    def _open_rows(self, drafts: list[req.Draft]) -> list[dict[str, Any] | None]:
        """Triage, route and clock the drafts; insert cases, subjects, tags and first events.

        Multi-row INSERT … ON CONFLICT DO NOTHING RETURNING: a draft whose dedupe key an open
        case holds already comes back as None (the caller joins that case instead). Rows, not
        ORM objects: a batch of 1,000 flags must not pay for 1,000 instrumented objects.
        """
        if not drafts:
            return []
        earlier = self._earlier_cases(
            [d.subjects[0] for d in drafts if d.subjects and not d.primary_is_new])
        review_harms = self._review_harms(drafts)
        router = push.Router(self.session, self.queues, self.now)
        router.expect(s for d in drafts for s in d.subjects)
        rows, routed = [], []
        for d in drafts:
            facts = d.facts(now=self.now,
                            earlier=earlier.get(d.subjects[0], 0) if d.subjects else 0)
            result = self.rules.score(facts)
            tier = DEFAULT_TIER[CaseKind(d.kind)]
            if result.priority.rank == 0 and tier < 2:
                tier = 2  # a P0 is never left to tier-1 vendor moderation alone
            text_harm = classify(f"{d.title}\n{d.description}", language=d.language).code
            harm = merge_harms(text_harm, *(review_harms.get(i) for t, i in d.subjects
                                            if t == "review"))
            to = push.route(router, CaseFacts(
                key="the new case", kind=d.kind, tier=tier, language=d.language,
                legal_restricted=d.legal_restricted, legal_notice=d.kind == CaseKind.LEGAL_NOTICE,
                harmful=harm is not None, subjects=tuple(d.subjects)),
                named=self.queues.by_id.get(d.queue_id) if d.queue_id else None)
            routed.append(to)
            queue = to.queue
            row = dict(_BLANK_CASE)
            row.update(
                kind=d.kind, channel=d.channel, title=d.title[:300], description=d.description,
                status=CaseStatus.TRIAGED.value, is_open=True, tier=tier,
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
                triaged_at=self.now,
            )
            row["text_harm"], row["harm"] = text_harm, harm
            if to.assignee_id is not None:  # a push queue gave it to someone
                row.update(status=CaseStatus.ASSIGNED.value, assignee_id=to.assignee_id)
            clock = ClockFacts(row)
            apply_clock(clock, self.sla, self.queues.team_calendar_id(row["queue_id"]))
            rows.append(row)
        self._insert(rows)
        subject_rows, tag_rows, events = [], [], []
        kept: list[dict[str, Any] | None] = []
        pushed: list[tuple[int, int]] = []
        for row, d, to in zip(rows, drafts, routed, strict=True):
            if row.get("id") is None:
                kept.append(None)
                continue
            kept.append(row)
            case_id = row["id"]
            if to.assignee_id is not None:
                pushed.append((case_id, to.assignee_id))
            for n, (stype, sid) in enumerate(dict.fromkeys(d.subjects)):
                subject_rows.append(dict(case_id=case_id, subject_type=stype, subject_id=sid,
                                         role="primary" if n == 0 else "related"))
            tag_rows += [dict(case_id=case_id, tag=t) for t in dict.fromkeys(d.tags)]
            events.append(dict(
                case_id=case_id, kind="case.created", category="intake", actor=self.actor,
                at=self.now, payload={
                    "kind": row["kind"], "channel": row["channel"], "status": row["status"],
                    "requester_type": row["requester_type"], "priority": f"P{row['priority']}",
                    "score": row["priority_score"], "reasons": row["priority_reasons"],
                    "tier": row["tier"], "queue_id": row["queue_id"], "routing": to.words,
                    "assignee_id": to.assignee_id,
                    "resolution_due_at": row["resolution_due_at"],
                    "subjects": [f"{t}:{i}" for t, i in d.subjects],
                    "receipt": d.receipt,
                },
            ))
        intervals.open_many(self.session, pushed, now=self.now, start_reason="assigned")
        _INSERT_SUBJECTS.execute(self.session, subject_rows)
        _INSERT_TAGS.execute(self.session, tag_rows)
        record_new_chains(self.session, events)
        return kept

    def _review_harms(self, drafts: list[req.Draft]) -> dict[int, str | None]:
        """What triage found harmful in the drafts' reviews (stored when each was mirrored),
        in one read: a case about a harmful review is itself harmful to work."""
        ids = sorted({i for d in drafts for t, i in d.subjects if t == "review"})
        if not ids:
            return {}
        return dict(self.session.execute(select(Review.id, Review.harm).where(
            Review.id.in_(ids), Review.harm.is_not(None))).all())  # type: ignore[arg-type]

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        """Insert case rows, setting "id" on each that went in (keyed ones may not)."""
        table = Case.__table__
        keyed = [r for r in rows if r["dedupe_key"]]
        if keyed:
            # A conflicting row comes back missing, so rows are matched to ids by their dedupe
            # key, not by position.
            ids = {key: case_id for case_id, key in _OPEN_CASE_INSERT.execute(self.session,
                                                                                keyed)}
            for row in keyed:
                row["id"] = ids.get(row["dedupe_key"])
        for row in rows:
            if not row["dedupe_key"]:
                row["id"] = self.session.execute(
                    insert(table).values(row).returning(table.c.id)).scalar_one()

    def _link(self, links: list[tuple[Any, req.Draft]]) -> None:
        """Join requests to open cases (Case objects or CaseRefs: only the id is used)."""
        counts: dict[int, int] = {}
        rows, events = [], []
        for case, d in links:
            counts[case.id] = counts.get(case.id, 0) + 1
            rows.append(dict(
                case_id=case.id, channel=d.channel, requester_type=d.requester_type,
                requester_name=d.requester_name, requester_organisation=d.requester_organisation,
                requester_contact=d.requester_contact,
                # The request in full: its own words and tags, not only its details (the case
                # view shows each joined request as it came; retention erases the words).
                payload={**d.details, **({"description": d.description} if d.description
                                         else {}),
                         **({"tags": d.tags} if d.tags else {}), "receipt": d.receipt},
                received_at=self.now,
            ))
        _INSERT_REQUESTS.execute(self.session, rows)
        table = Case.__table__
        # One batched UPDATE, in case-id order: two batches never lock cases in opposite order.
        self.session.execute(
            update(table).where(table.c.id == bindparam("cid"))
            .values(linked_request_count=table.c.linked_request_count + bindparam("n"),
                    updated_at=self.now),
            [dict(cid=case_id, n=n) for case_id, n in sorted(counts.items())],
        )
        for case, d in links:
            events.append(dict(
                case_id=case.id, kind="request.linked", category="intake", actor=self.actor,
                at=self.now, payload={"channel": d.channel, "requester_type": d.requester_type,
                                      "dedupe_key": d.dedupe_key, "receipt": d.receipt},
            ))
        record_many(self.session, events)
        for case, _ in links:
            if isinstance(case, Case) and case in self.session:
                self.session.expire(case, ["linked_request_count", "updated_at"])


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "item", "message": e["msg"]}
        for e in exc.errors(include_url=False)
    ]


def item_problems(item: Any, *, cleared: bool = False) -> list[dict[str, str]]:
    """What makes one batch item unusable before its fields are read: not an object, or a
    value under the desk's floor (an integer beyond 64 bits, a NUL character, which PostgreSQL
    cannot store and SQLite would, deep nesting). ``cleared``: the API's input guard found no
    such value anywhere in the body already."""
    if not isinstance(item, dict):
        return [{"field": "item", "message": "must be an object: a flag, as for POST /cases"}]
    if cleared:
        return []
    try:
        check_json(item)
    except InputRefused as refused:
        return [{"field": refused.field if refused.field != "body" else "item",
                 "message": refused.message}]
    return []
