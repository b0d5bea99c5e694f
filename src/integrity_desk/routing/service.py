"""Which queue a case lands in, and who may take which case (atomically)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from sqlalchemy import ColumnElement, Update, and_, bindparam, false, select, text, true, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.domain import CaseKind, CaseStatus
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.errors import Forbidden, NotFound
from integrity_desk.people import schedule
from integrity_desk.people.models import (
    LANGUAGE_BOUND_ROLES,
    LEGAL_ROLES,
    WORKING_ROLES,
    Role,
    User,
)
from integrity_desk.routing import intervals, requirements
from integrity_desk.routing.models import Queue
from integrity_desk.routing.policy import DEFAULT, Requirements, RoutingSettings
from integrity_desk.routing.repository import case_in_visible_queue, may_see, visible_queues

WAITING_IN_QUEUE = text("cases.status = 'triaged'")



@dataclass(frozen=True)
class QueueInfo:
    """What routing needs of a queue, detached from any session (it is cached per process)."""

    id: int
    slug: str
    kinds: tuple[str, ...]
    tier: int
    languages: tuple[str, ...]
    team_id: int | None
    team_calendar_id: int | None
    skills: tuple[str, ...] = ()
    settings: RoutingSettings = DEFAULT  # the version in force (docs/routing.md)
    position: int = 100

    @property
    def requirements(self) -> Requirements:
        """What the queue requires of whoever works it, without a query."""
        return Requirements(self.slug, self.skills, self.settings.required_certifications)


class QueueBook:
    """Active queues in routing order, each with its routing settings in force."""

    def __init__(self, session: Session) -> None:
        settings = requirements.settings_in_force(session)
        self.queues = [
            QueueInfo(q.id, q.slug, tuple(q.kinds), q.tier, tuple(q.languages), q.team_id,
                      q.team.calendar_id if q.team else None, tuple(q.skills or ()),
                      settings.get(q.id, DEFAULT), q.position)
            for q in session.scalars(
                select(Queue).where(Queue.active).order_by(Queue.position, Queue.id))
        ]
        self.by_id = {q.id: q for q in self.queues}
        self.by_slug = {q.slug: q for q in self.queues}

    def takers(self, *, kind: str, tier: int, language: str | None) -> list[QueueInfo]:
        """The active queues that may take a case, best match first: those of its tier that
        take its language (or any language); else those of its tier; else the first that
        takes its kind. In position order within the level. Routing chooses among them by
        free capacity (routing.push); with one, there is nothing to choose."""
        of_kind = [q for q in self.queues if kind in q.kinds]
        level = [q for q in of_kind if q.tier == tier
                 and (not q.languages or (language is not None and language in q.languages))]
        if level:
            return level
        level = [q for q in of_kind if q.tier == tier]
        return level or of_kind[:1]

    def route(self, *, kind: str, tier: int, language: str | None) -> QueueInfo | None:
        """The first of ``takers``: where a case goes when nobody's capacity is consulted."""
        found = self.takers(kind=kind, tier=tier, language=language)
        return found[0] if found else None

    def team_calendar_id(self, queue_id: int | None) -> int | None:
        queue = self.by_id.get(queue_id) if queue_id else None
        return queue.team_calendar_id if queue else None


def get_queue(session: Session, slug: str) -> Queue:
    queue = session.scalar(select(Queue).where(Queue.slug == slug))
    if queue is None:
        raise NotFound(f"no queue {slug!r}", field="queue")
    return queue


def _work_terms(role: Role, *, max_tier: Any, languages: Any, team_id: Any,
                kinds: Any = None) -> ColumnElement[bool]:
    """SQL: the cases a user of this role may take and work (a subset of what they may read).

    The user's own values come as literals or as bound parameters (``languages``, ``team_id``
    and ``kinds`` None when the user has none), so one builder serves both callers below.
    """
    if role not in WORKING_ROLES:
        return false()
    clauses: list[ColumnElement[bool]] = [Case.tier <= max_tier]
    if role not in LEGAL_ROLES:
        clauses.append(Case.legal_restricted.is_(False))
    if role == Role.LEGAL:
        clauses.append(Case.legal_restricted.is_(True) | (Case.kind == CaseKind.LEGAL_NOTICE))
    clauses.append(case_in_visible_queue(role, team_id))  # true() unless team-scoped
    if languages is not None and role in LANGUAGE_BOUND_ROLES:
        clauses.append(Case.language.is_(None) | Case.language.in_(languages))
    if kinds is not None:  # the case kinds the person works (docs/workforce.md)
        clauses.append(Case.kind.in_(kinds))
    return and_(true(), *clauses)


def may_work_clause(user: User) -> ColumnElement[bool]:
    """SQL: the cases this user may take and work (a subset of what they may read)."""
    return _work_terms(Role(user.role), max_tier=user.max_tier,
                       languages=user.languages or None, team_id=user.team_id,
                       kinds=user.kinds or None)


def check_may_work(session: Session, user: User, case: Case, *, assignee: bool = False,
                   qualified: bool = True) -> None:
    """Refuse, naming the rule, unless the person may work the case (``assignee``: the person
    is being given the case by someone else, and the reason names them, not "you"). Then the
    case's queue's requirements (skills, certifications: routing.requirements), which hold
    however the person came by the case; ``qualified=False`` leaves them out for someone
    handing the case to another, who distributes the work without doing it."""
    who = user.name if assignee else None
    allowed = session.scalar(select(Case.id).where(Case.id == case.id, may_work_clause(user)))
    if allowed is None:
        queue_team = session.scalar(select(Queue.team_id).where(Queue.id == case.queue_id)) \
            if case.queue_id else None
        raise Forbidden(why_not_work(user, case, queue_team_id=queue_team, who=who))
    if qualified and case.queue_id is not None:
        requirements.check(session, user, requirements.of_queue_id(session, case.queue_id),
                           utcnow(), who=who)


def why_not_work(user: User, case: Case, *, queue_team_id: int | None,
                 who: str | None = None) -> str:
    """The one rule of ``_work_terms`` that keeps this person from this case, in words a
    refused page can show ("Polish is not one of your languages"), checked in the same order;
    the generic sentence only when none of them explains it (the SQL said no all the same).
    ``who``: the person's name when someone else is giving them the case."""
    role = Role(user.role)
    you_work, your, you_are = ((f"{who} works", f"{who}'s", f"{who} is") if who
                               else ("you work", "your", "you are"))
    if role not in WORKING_ROLES:
        return f"a {role.value} reads cases and does not work them"
    if user.max_tier is not None and case.tier > user.max_tier:
        return (f"{case.key} is a tier {case.tier} case; {you_work} cases up to tier "
                f"{user.max_tier} (a manager or a specialist of that tier takes it)")
    if role not in LEGAL_ROLES and case.legal_restricted:
        return f"{case.key} is legal-restricted: legal counsel works it"
    if role == Role.LEGAL and not (case.legal_restricted or case.kind == CaseKind.LEGAL_NOTICE):
        return f"counsel works legal notices and legal-restricted cases; {case.key} is neither"
    if not may_see(user, queue_team_id):
        return (f"{case.key} is not in a queue of {your} team" if user.team_id is not None
                else f"{you_are} in no team, and agents work their team's queues")
    if (user.languages and role in LANGUAGE_BOUND_ROLES and case.language
            and case.language not in user.languages):
        return (f"{language_name(case.language)} is not one of {your} languages "
                f"({', '.join(language_name(x) for x in user.languages)})")
    if user.kinds and case.kind not in user.kinds:
        return (f"{case.key} is a {case.kind.replace('_', ' ')} case; {you_work} "
                f"{', '.join(k.replace('_', ' ') for k in user.kinds)} cases")
    return (f"{user.email} may not work {case.key} "
            "(role, team, tier, language, case kind or legal restriction)")


def language_name(code: str) -> str:
    """"pl" -> "Polish" (Babel's English names; the code itself where Babel has none)."""
    try:
        return Locale("en").languages.get(code.split("-")[0], code)
    except (ValueError, UnknownLocaleError):
        return code


def queue_requirements(session: Session, queue: Queue | QueueInfo) -> Requirements:
    """What the queue requires: from the snapshot when it is one, else one small query."""
    if isinstance(queue, QueueInfo):
        return queue.requirements
    return requirements.of_queues(session, [queue])[queue.id]


def may_claim_queue(session: Session, user: User, queue: Queue | QueueInfo, now: datetime
                    ) -> None:
    """Refuse unless the person may take work from the queue: a working role, a queue they
    may see, and the skills and current certifications it requires (the same rule as
    assigning: a person never claims what routing would not give them)."""
    if Role(user.role) not in WORKING_ROLES:
        raise Forbidden(f"a {user.role} does not work queues")
    if not may_see(user, queue.team_id):
        # Another vendor's queue is not even there for an agent (no existence leak).
        raise NotFound(f"no queue {queue.slug!r}", field="queue")
    requirements.check(session, user, queue_requirements(session, queue), now)


def check_ready(session: Session, user: User, now: datetime) -> None:
    """A person takes work only when routing would give them some: available, on shift and
    under capacity (``people.shifts.not_ready``, the rule routing reads too). With a capacity
    set, the person's row stays locked until the claim commits, so two claims of one person
    at once cannot both pass the count."""
    state = schedule.readiness(session, user, now, lock=user.capacity is not None)
    if state.reasons:
        raise Forbidden("you cannot take work now: you are " + "; ".join(state.reasons)
                        + (" (set yourself available on your page)"
                           if user.availability != "available" else ""))


def _spared(spare_harm: bool) -> ColumnElement[bool]:
    """SQL: nothing harmful to view, for a person at today's cap (wellbeing); else anything."""
    return Case.harm.is_(None) if spare_harm else true()


def _bound_terms(role: Role, languages: bool, team: bool, kinds: bool) -> ColumnElement[bool]:
    """``_work_terms`` with the person's values as bound parameters (the cached statements)."""
    return _work_terms(role, max_tier=bindparam("p_max_tier"),
                       languages=bindparam("p_languages", expanding=True) if languages else None,
                       team_id=bindparam("p_team_id") if team else None,
                       kinds=bindparam("p_kinds", expanding=True) if kinds else None)


def _params(user: User) -> dict[str, Any]:
    return {"p_max_tier": user.max_tier, "p_languages": user.languages,
            "p_team_id": user.team_id, "p_kinds": user.kinds}


def _shape(user: User) -> tuple[Role, bool, bool, bool]:
    """What the cached statements are keyed on: the role, and which lists the person has."""
    return Role(user.role), bool(user.languages), user.team_id is not None, bool(user.kinds)


@lru_cache(maxsize=128)
def _claim_statement(role: Role, languages: bool, team: bool, kinds: bool = False,
                     spare_harm: bool = False) -> Update:
    """The claim for users of one role (with or without languages and a team, spared harmful
    cases or not), built once: building it cost more than running it. Who claims, and which
    queue, are parameters.

    One conditional UPDATE: on PostgreSQL the inner SELECT skips rows another claimer has
    locked, so 32 claimers take 32 different cases without waiting on one another.
    """
    works = _bound_terms(role, languages, team, kinds)
    pick = (
        select(Case.id)
        # The status is a literal, not a bound parameter: only then may PostgreSQL's generic
        # plan for this prepared statement use the partial index ix_cases_claim.
        .where(Case.queue_id == bindparam("p_queue_id"), WAITING_IN_QUEUE, works,
               _spared(spare_harm))
        # queue_id leads the order (a no-op: it is fixed above) so that only the indexes
        # that start with the queue can serve it; the planner would otherwise walk a status
        # index and discard every other queue's cases on the way.
        .order_by(Case.queue_id, Case.priority, Case.resolution_due_at, Case.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        update(Case)
        .where(Case.id == pick, Case.status == CaseStatus.TRIAGED)
        .values(assignee_id=bindparam("p_user_id"), status=CaseStatus.ASSIGNED,
                updated_at=bindparam("p_now"))
        .returning(Case.id, Case.kind)
        .execution_options(synchronize_session=False)
    )


def claim_next(
    session: Session, *, user: User, queue: Queue | QueueInfo, now: datetime,
    spare_harm: bool = False,
) -> tuple[int, str] | None:
    """Give the caller the most urgent case of the queue they may work: (id, kind), or None.
    ``spare_harm``: the person has reached today's cap of harmful items (wellbeing.service),
    so the most urgent case with nothing harmful in it is theirs instead."""
    may_claim_queue(session, user, queue, now)
    check_ready(session, user, now)
    return _claim(session, user=user, queue_id=queue.id, now=now, spare_harm=spare_harm)


def _claim(session: Session, *, user: User, queue_id: int, now: datetime, spare_harm: bool
           ) -> tuple[int, str] | None:
    """The claim itself, once the person may claim from the queue."""
    statement = _claim_statement(*_shape(user), spare_harm)
    row = session.execute(statement, {  # p_: an UPDATE reserves its columns' own names
        "p_queue_id": queue_id, "p_user_id": user.id, "p_now": now, **_params(user)}).first()
    if row is None:
        return None
    # A waiting case has no open interval: the INSERT alone opens the claimer's.
    intervals.hand_over(session, row[0], user, now=now, start_reason="claimed")
    return (row[0], row[1])


def possible_assignees(session: Session, user: User, *, limit: int = 500) -> list[User]:
    """People this user may hand cases to: active people of the working roles; for a vendor
    agent only their own team (another vendor's staff are not there for them). Whether one of
    them may work a particular case is the assign service's check."""
    query = select(User).where(User.active, User.role.in_([r.value for r in WORKING_ROLES]))
    if user.role == Role.AGENT:
        query = query.where(User.team_id == user.team_id) if user.team_id else query.where(
            false())
    return list(session.scalars(query.order_by(User.name, User.id).limit(limit)))


@lru_cache(maxsize=128)
def _head_statement(role: Role, languages: bool, team: bool, kinds: bool = False,
                    spare_harm: bool = False) -> Any:
    works = _bound_terms(role, languages, team, kinds)
    return (select(Case.priority, Case.resolution_due_at, Case.id)
            .where(Case.queue_id == bindparam("p_queue_id"), WAITING_IN_QUEUE, works,
                   _spared(spare_harm))
            .order_by(Case.queue_id, Case.priority, Case.resolution_due_at, Case.id).limit(1))


def claim_next_of_mine(session: Session, *, user: User, actor: Actor, now: datetime,
                       spare_harm: bool = False) -> tuple[int, str] | None:
    """Claim the most urgent waiting case of all the queues the user works: (id, kind), or
    None when nothing waits.

    Each queue's head is read from ix_cases_claim (one short read a queue, and a person works
    a handful); the queues are then tried most urgent head first with ``claim_next``, the same
    atomic claim the API's per-queue route makes, so a head another person took meanwhile
    only means the next case of that queue, or the next queue. Queues whose skills or
    certifications the person lacks are skipped, not refused: they are simply not theirs.
    """
    if Role(user.role) not in WORKING_ROLES:
        raise Forbidden(f"a {user.role} does not work queues")
    check_ready(session, user, now)
    # Inactive queues too: one gets no new case, but a case routed there by an intake that read
    # the configuration just before the deactivation must still be worked (an empty queue
    # costs one index probe).
    visible = visible_queues(session, user)
    qualified = requirements.queues_qualified_for(
        session, user, requirements.of_queues(session, visible), now)
    queues = [q for q in visible if q.id in qualified]
    statement = _head_statement(*_shape(user), spare_harm)
    heads = []
    for queue in queues:
        head = session.execute(statement, {"p_queue_id": queue.id, **_params(user)}).first()
        if head is not None:
            priority, due, case_id = head
            heads.append(((priority, due is None, due or now, case_id), queue))
    for _, queue in sorted(heads, key=lambda h: h[0]):
        claimed = _claim(session, user=user, queue_id=queue.id, now=now, spare_harm=spare_harm)
        if claimed is not None:
            record(session, kind="case.claimed", category="state", actor=actor,
                   case_id=claimed[0], at=now,
                   payload={"before": None, "after": user.id, "queue": queue.slug})
            return claimed
    return None

