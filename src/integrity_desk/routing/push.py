"""Routing as it runs: the people of the teams that may take a case, read once per unit of work
(one intake, one batch, one escalation or release), then the pure rules of ``routing.choose``
for each case, with the choices counted as they are made so a batch spreads as the desk would
one case at a time (docs/routing.md).

Reads, only when there is a choice to make (more than one queue takes the case, or the queue
pushes): the members of the candidate teams, their cases in hand, exceptions in force,
certifications, harmful items seen today, the cases waiting per queue and, for affinity, who
holds open work about the same businesses and reviewers (only the held cases that share one),
and, where queues share a case kind, each team's QA accuracy (routing.choose's quality weight).
A desk whose cases each have one queue and no push pays nothing. Each team's people are judged
once per kind of case (``routing.choose.judge``), not once per case.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from integrity_desk.cases.domain import CaseKind, CaseStatus
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.people import certifications, schedule
from integrity_desk.people.models import WORKING_ROLES, Team, User, Vendor
from integrity_desk.quality import review as qa_review
from integrity_desk.routing.choose import (
    Candidate,
    CaseFacts,
    Judgement,
    PersonChoice,
    QueueChoice,
    QueueFacts,
    choose_person,
    choose_queue,
    judge,
)
from integrity_desk.routing.service import QueueBook, QueueInfo, language_name
from integrity_desk.subjects.models import Review
from integrity_desk.wellbeing import service as wellbeing

# A team's quality is its QA accuracy over this window, once at least this many of its
# decisions were judged in it (fewer say too little: the team counts as the others' mean).
QUALITY_WINDOW = timedelta(days=28)
QUALITY_MINIMUM = 10


def keys_of_cases(session: Session, case_ids: Sequence[int]) -> dict[int, set[str]]:
    """"business:ID" and "reviewer:ID" of each case's subjects, a review counting for its
    business and its reviewer (one read): what affinity matches on."""
    keys: dict[int, set[str]] = defaultdict(set)
    if not case_ids:
        return keys
    rows = session.execute(
        select(CaseSubject.case_id, CaseSubject.subject_type, CaseSubject.subject_id,
               Review.business_id, Review.reviewer_id)
        .outerjoin(Review, (CaseSubject.subject_type == "review")
                   & (Review.id == CaseSubject.subject_id))
        .where(CaseSubject.case_id.in_(list(case_ids))))
    for case_id, kind, subject_id, business_id, reviewer_id in rows:
        keys[case_id] |= _subject_keys(kind, subject_id, business_id, reviewer_id)
    return keys


def _subject_keys(kind: str, subject_id: int, business_id: int | None = None,
                  reviewer_id: int | None = None) -> set[str]:
    """What affinity matches a subject on: a business or reviewer itself; a review, its
    business and its reviewer."""
    if kind in ("business", "reviewer"):
        return {f"{kind}:{subject_id}"}
    return ({f"business:{business_id}"} if business_id is not None else set()) | (
        {f"reviewer:{reviewer_id}"} if reviewer_id is not None else set())


class Router:
    """Routing for one unit of work. Build one, ask it for each case, in order."""

    def __init__(self, session: Session, book: QueueBook, now: datetime) -> None:
        self.session, self.book, self.now = session, book, now
        self._people: dict[int | None, list[Candidate]] = {}
        self._waiting: dict[int, int] = {}
        self._groups: dict[int, str] | None = None
        self._holders: dict[str, set[int]] = {}  # "business:ID" -> who holds work about it
        self._team_keys: dict[int | None, set[str]] = defaultdict(set)  # what teams hold
        # Judgements of a team's people for cases alike in all the rules read, kept while
        # nobody's state changes (routing.choose.judge): a batch asks once, not per case.
        self._judged: dict[tuple[Any, ...], Judgement] = {}
        self._asked: set[str] = set()
        self._pending: set[tuple[str, int]] = set()
        self._subject_keys: dict[tuple[str, int], set[str]] = {}
        self._quality: dict[int, float] | None = None  # QA accuracy per team, when read

    # Reads, each once per unit of work and only when needed.

    def _group(self, team_id: int | None) -> str:
        if self._groups is None:
            self._groups = {tid: vendor or name for tid, name, vendor in self.session.execute(
                select(Team.id, Team.name, Vendor.name).outerjoin(
                    Vendor, Vendor.id == Team.vendor_id))}
        return self._groups.get(team_id, "no team") if team_id is not None else "no team"

    def _load_people(self, team_ids: Iterable[int | None]) -> None:
        wanted = sorted({t for t in team_ids if t is not None and t not in self._people})
        if not wanted:
            return
        members = list(self.session.scalars(
            select(User).where(User.team_id.in_(wanted), User.active.is_(True),
                               User.role.in_(sorted(WORKING_ROLES)))
            .order_by(User.id)))
        ready = schedule.readiness_of(self.session, members, self.now)
        held = certifications.held(self.session, [m.id for m in members], self.now)
        seen = wellbeing.seen_on(self.session, [m.id for m in members], self.now)
        cap = wellbeing.daily_cap(self.session)
        holds: dict[int, set[str]] = defaultdict(set)
        for key, holders in self._holders.items():
            for user_id in holders:
                holds[user_id].add(key)
        for team_id in wanted:
            self._people[team_id] = []
        for m in members:
            state = ready[m.id]
            self._team_keys[m.team_id] |= holds.get(m.id, set())
            self._people[m.team_id].append(Candidate(
                id=m.id, name=m.name, role=m.role, team_id=m.team_id,
                languages=tuple(m.languages), kinds=tuple(m.kinds),
                skills=frozenset(m.skills), certifications=frozenset(held[m.id]),
                max_tier=m.max_tier, availability=m.availability, shift=state.shift,
                in_hand=state.in_hand, capacity=m.capacity, seen_today=seen[m.id],
                harm_cap=cap, holds=frozenset(holds.get(m.id, ()))))

    def load_affinity(self, keys: Iterable[str]) -> None:
        """Read who holds open work about these businesses and reviewers (the keys of the
        cases this unit of work routes), before any people are read; only the held cases
        that share a key are read, never everything people hold."""
        wanted = set(keys) - self._asked
        if not wanted:
            return
        self._asked |= wanted
        found = holders_of(self.session, wanted)
        for key, holders in found.items():
            self._holders.setdefault(key, set()).update(holders)
        for members in self._people.values():  # people read already learn what they hold
            for person in members:
                mine = {k for k, h in found.items() if person.id in h}
                if mine:
                    person.holds = person.holds | mine
                    self._team_keys[person.team_id] |= mine

    def _load_waiting(self, queue_ids: Iterable[int]) -> None:
        wanted = sorted({q for q in queue_ids if q not in self._waiting})
        if not wanted:
            return
        counts = dict(self.session.execute(  # type: ignore[arg-type]
            select(Case.queue_id, func.count()).where(
                Case.queue_id.in_(wanted), Case.status == CaseStatus.TRIAGED.value)
            .group_by(Case.queue_id)).all())
        for queue_id in wanted:
            self._waiting[queue_id] = counts.get(queue_id, 0)

    def expect(self, subjects: Iterable[tuple[str, int]]) -> None:
        """The subjects of every case this unit of work will route (no read): when affinity
        first matters, their businesses and reviewers, and who holds work about them, are
        read for all of them at once."""
        self._pending.update(subjects)

    def affinity_keys(self, case: CaseFacts) -> frozenset[str]:
        """The case's businesses and reviewers, with who holds work about them loaded; empty
        where affinity can decide nothing. Reads at most twice per unit of work."""
        if not self.wants_keys:
            return frozenset()
        keys = set(case.keys)
        if case.subjects:
            missing = (self._pending | set(case.subjects)) - self._subject_keys.keys()
            if missing:
                self._subject_keys.update(keys_of_subjects(self.session, missing))
                self.load_affinity(k for found in self._subject_keys.values() for k in found)
            keys |= {k for s in case.subjects for k in self._subject_keys.get(s, ())}
        self.load_affinity(keys)
        return frozenset(keys)

    @cached_property
    def wants_keys(self) -> bool:
        """Whether affinity can decide anything here: a queue with affinity on that pushes, or
        that shares a case kind with another active queue (only then are a case's businesses
        and reviewers, and who holds work about them, worth reading)."""
        kinds = Counter(k for q in self.book.queues for k in q.kinds)
        return any(q.settings.affinity and (q.settings.mode == "push"
                                            or any(kinds[k] > 1 for k in q.kinds))
                   for q in self.book.queues)

    # Facts.

    def facts(self, queue: QueueInfo) -> QueueFacts:
        s = queue.settings
        return QueueFacts(id=queue.id, slug=queue.slug, team_id=queue.team_id,
                          group=self._group(queue.team_id), position=queue.position,
                          skills=frozenset(queue.skills),
                          certifications=frozenset(s.required_certifications),
                          quality_weight=s.quality_weight, affinity=s.affinity,
                          push=s.mode == "push", quality=self._team_quality(queue))

    def _team_quality(self, queue: QueueInfo) -> float | None:
        """The QA accuracy of the team's decisions over the last QUALITY_WINDOW, read once per
        unit of work and only where it can weigh: a queue sharing a case kind with another
        (routing.choose weighs free capacity between such queues)."""
        if queue.team_id is None or not any(
                k in q.kinds for q in self.book.queues if q is not queue for k in queue.kinds):
            return None
        if self._quality is None:
            self._quality = qa_review.team_accuracy(
                self.session, since=self.now - QUALITY_WINDOW, minimum=QUALITY_MINIMUM)
        return self._quality.get(queue.team_id)

    # The choices.

    def _judge(self, case: CaseFacts, queue: QueueFacts, members: Sequence[Candidate]
               ) -> Judgement:
        if members is not self._people.get(queue.team_id):  # a subset: ask afresh
            return judge(case, queue, members, language_name=language_name)
        key = (queue.team_id, queue.id, case.kind, case.tier, case.language,
               case.legal_restricted, case.legal_notice, case.harmful)
        found = self._judged.get(key)
        if found is None:
            found = self._judged[key] = judge(case, queue, members,
                                              language_name=language_name)
        return found

    def _took_one(self, person: Candidate) -> None:
        """A push gave ``person`` a case: one more in hand, and, at capacity, the team's
        judgements are stale (the eligible keep their free capacity live, not their place)."""
        person.in_hand += 1
        if person.capacity is not None and person.in_hand >= person.capacity:
            self._judged = {k: v for k, v in self._judged.items() if k[0] != person.team_id}

    def choose_queue(self, case: CaseFacts) -> QueueChoice:
        """The queue for a case, counted as one more waiting there."""
        found = self.book.takers(kind=case.kind, tier=case.tier, language=case.language)
        if len(found) <= 1:
            queue = self.facts(found[0]) if found else None
            choice = QueueChoice(queue, f"to {queue.slug} ({queue.group}): the only queue that "
                                        "takes this case" if queue
                                 else f"no active queue takes {case.kind} cases")
        else:
            self._load_people(q.team_id for q in found)
            self._load_waiting(q.id for q in found)
            choice = choose_queue(case, [self.facts(q) for q in found], self._people,
                                  self._waiting, language_name=language_name,
                                  team_keys=self._team_keys, judged=self._judge)
        if choice.queue is not None:
            self._waiting[choice.queue.id] = self._waiting.get(choice.queue.id, 0) + 1
        return choice

    def choose_person(self, case: CaseFacts, queue: QueueFacts, *, exclude: Iterable[int] = ()
                      ) -> PersonChoice:
        """In a push queue, the person to give the case to (counted as one more in their
        hands), or None; in a pull queue always None, without reading anything."""
        if not queue.push:
            return PersonChoice(None, "")
        self._load_people([queue.team_id])
        left_out = set(exclude)
        members = self._people.get(queue.team_id, [])
        if left_out:
            members = [p for p in members if p.id not in left_out]
        choice = choose_person(case, queue, members, language_name=language_name,
                               judged=self._judge)
        if choice.person is not None:
            self._took_one(choice.person)
            choice.person.holds = choice.person.holds | case.keys
            self._team_keys[choice.person.team_id] |= case.keys
            if queue.id in self._waiting:
                self._waiting[queue.id] -= 1
        return choice


@dataclass(frozen=True)
class Routed:
    """Where a case goes: its queue, the person a push queue gives it to, and why (one
    sentence for the timeline)."""

    queue: QueueInfo | None
    assignee_id: int | None
    words: str
    contested: bool = False  # more than one queue could take it, or its queue pushes


def route(router: Router, case: CaseFacts, *, named: QueueInfo | None = None,
          exclude: Iterable[int] = ()) -> Routed:
    """The queue (``named``: the one the request asked for) and, in a push queue, the person;
    ``exclude``: people who must not get it back (who just released it)."""
    found = [] if named is not None else router.book.takers(
        kind=case.kind, tier=case.tier, language=case.language)
    pushes = named.settings.mode == "push" if named is not None else any(
        q.settings.mode == "push" for q in found)
    if pushes or len(found) > 1:  # a choice to make: affinity may decide it
        case = replace(case, keys=router.affinity_keys(case))
    if named is not None:
        facts = router.facts(named)
        words = f"to {named.slug} ({facts.group}): the queue the request named"
    else:
        choice = router.choose_queue(case)
        facts, words = choice.queue, choice.reasons
    if facts is None:
        return Routed(None, None, words)
    contested = facts.push or len(found) > 1
    person = router.choose_person(case, facts, exclude=exclude)
    queue = router.book.by_id.get(facts.id)
    if person.person is None:
        return Routed(queue, None, words + (f"; {person.reasons}" if person.reasons else ""),
                      contested)
    return Routed(queue, person.person.id, f"{words}; {person.reasons}", contested)


def case_facts(case: Case, keys: Iterable[str] = ()) -> CaseFacts:
    """A stored case as the rules read it (``keys``: its subjects' businesses and reviewers,
    from ``keys_of_cases``)."""
    return CaseFacts(key=case.key, kind=case.kind, tier=case.tier, language=case.language,
                     legal_restricted=bool(case.legal_restricted),
                     legal_notice=case.kind == CaseKind.LEGAL_NOTICE, harmful=bool(case.harm),
                     keys=frozenset(keys))


def keys_of_subjects(session: Session, subjects: Iterable[tuple[str, int]]
                     ) -> dict[tuple[str, int], set[str]]:
    """``keys_of_cases`` for subjects not yet on a case (a new case's, at intake): a review
    counts for its business and its reviewer (one read of the reviews)."""
    wanted = set(subjects)
    keys = {s: _subject_keys(*s) for s in wanted}
    reviews = sorted(i for t, i in wanted if t == "review")
    if reviews:
        for review_id, business_id, reviewer_id in session.execute(
                select(Review.id, Review.business_id, Review.reviewer_id)
                .where(Review.id.in_(reviews))):
            keys[("review", review_id)] = _subject_keys("review", review_id, business_id,
                                                        reviewer_id)
    return keys


def route_case(session: Session, book: QueueBook, case: Case, now: datetime, *,
               exclude: Iterable[int] = ()) -> Routed:
    """Route a stored case that is waiting again (escalated, released): its queue, and in a
    push queue its person (never one of ``exclude``)."""
    router = Router(session, book, now)
    found = book.takers(kind=case.kind, tier=case.tier, language=case.language)
    choice = len(found) > 1 or any(q.settings.mode == "push" for q in found)
    keys = keys_of_cases(session, [case.id]).get(case.id, set()) \
        if choice and router.wants_keys else ()
    return route(router, case_facts(case, keys), exclude=exclude)


def holders_of(session: Session, keys: Iterable[str]) -> dict[str, set[int]]:
    """Who holds (assigned or in progress) open work about each of these businesses and
    reviewers: key -> user ids. Reads only the cases that share a key (through
    ix_case_subjects_subject and the reviews' business and reviewer indexes), then their keys."""
    businesses = sorted({int(k.split(":", 1)[1]) for k in keys if k.startswith("business:")})
    reviewers = sorted({int(k.split(":", 1)[1]) for k in keys if k.startswith("reviewer:")})
    if not (businesses or reviewers):
        return {}
    reviews = select(Review.id).where(or_(Review.business_id.in_(businesses),
                                          Review.reviewer_id.in_(reviewers)))
    shares = or_(
        and_(CaseSubject.subject_type == "business", CaseSubject.subject_id.in_(businesses)),
        and_(CaseSubject.subject_type == "reviewer", CaseSubject.subject_id.in_(reviewers)),
        and_(CaseSubject.subject_type == "review", CaseSubject.subject_id.in_(reviews)))
    held = dict(session.execute(  # type: ignore[arg-type]
        select(Case.id, Case.assignee_id).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(shares, Case.status.in_(schedule.IN_HAND), Case.assignee_id.is_not(None))
        .distinct()).all())
    wanted = set(keys)
    out: dict[str, set[int]] = defaultdict(set)
    for case_id, case_keys in keys_of_cases(session, list(held)).items():
        for key in case_keys & wanted:
            out[key].add(held[case_id])
    return out
