"""How a case finds its queue and its person: the pure rules (no session, no I/O), each
refusal and each choice in words the case timeline shows (docs/routing.md).

*Eligible* (``why_not``): the person works cases of this kind, tier and language, may work a
legal-restricted case, holds the skills and current certifications the queue requires, is
available, on shift, under capacity, and (for a harmful case) under today's cap of harmful items.
The rules are checked in that order and the first that fails is the reason.

*The queue* (``choose_queue``): of the queues that take the case, each worked by one team (an
internal team or a vendor's), the one with the most free capacity of eligible people per case
already waiting there, the free capacity weighted by quality (QA accuracy where known, by the
queue's ``quality_weight``): work spreads in proportion to each team's free capacity.
Position breaks ties, and decides alone when nobody anywhere is ready (the case then waits in
the first queue for whoever frees up).

*Affinity* (a queue's ``affinity`` setting): the team of a queue that already holds open work
about the same business or reviewer gets the case, when it has eligible people, whatever the
capacity; within a push queue, the person who holds it.

*The person* (``choose_person``, queues set to push): affinity first (an eligible person who
already holds open work about the same business or reviewer), else the eligible person with the
most free capacity (lowest share of capacity in hand; fewest cases in hand when no capacity is
set), then the lowest id, so the choice is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from integrity_desk.people.models import LANGUAGE_BOUND_ROLES, LEGAL_ROLES, WORKING_ROLES
from integrity_desk.people.shifts import ShiftState, not_ready
from integrity_desk.routing.policy import Requirements, Standing, unmet

# A person with no capacity set counts, for the share of free capacity, as this many cases.
NOMINAL_CAPACITY = 10
MAX_NAMED = 4  # people named in a "not to" list before "and N more"


@dataclass(frozen=True)
class CaseFacts:
    key: str
    kind: str
    tier: int
    language: str | None = None
    legal_restricted: bool = False
    legal_notice: bool = False
    harmful: bool = False
    keys: frozenset[str] = frozenset()  # "business:ID", "reviewer:ID" of its subjects
    # (type, id) of its subjects, for a router to find ``keys`` only when affinity can matter.
    subjects: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class QueueFacts:
    id: int
    slug: str
    team_id: int | None
    group: str  # the vendor's name, or the internal team's
    position: int = 100
    skills: frozenset[str] = frozenset()
    certifications: frozenset[str] = frozenset()
    quality_weight: float = 0.5
    affinity: bool = True
    push: bool = False
    quality: float | None = None  # QA accuracy of the team's work, 0–1, where known


@dataclass
class Candidate:
    """A person as routing sees them now; ``in_hand`` moves as routing gives them cases."""

    id: int
    name: str
    role: str
    team_id: int | None
    languages: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    skills: frozenset[str] = frozenset()
    certifications: frozenset[str] = frozenset()
    max_tier: int = 1
    availability: str = "available"
    shift: ShiftState = field(default_factory=lambda: ShiftState(True, "not scheduled"))
    in_hand: int = 0
    capacity: int | None = None
    seen_today: int = 0
    harm_cap: int | None = None
    holds: frozenset[str] = frozenset()  # "business:…"/"reviewer:…" of open work in hand

    @property
    def free(self) -> int:
        capacity = self.capacity if self.capacity is not None else NOMINAL_CAPACITY
        return max(capacity - self.in_hand, 0)

    @property
    def load(self) -> float:
        return self.in_hand / self.capacity if self.capacity else self.in_hand / NOMINAL_CAPACITY


def why_not(person: Candidate, case: CaseFacts, queue: QueueFacts, *,
            language_name: Callable[[str], str] = str) -> str | None:
    """The first rule that keeps this person from this case, in words; None: eligible."""
    name = person.name
    if person.role not in WORKING_ROLES:
        return f"{name} is a {person.role} and does not work cases"
    if case.legal_restricted and person.role not in LEGAL_ROLES:
        return f"{case.key} is legal-restricted and {name} is not counsel or a manager"
    if person.role == "legal" and not (case.legal_restricted or case.legal_notice):
        return f"{name} is counsel and works legal cases only"
    if case.tier > person.max_tier:
        return f"{name} works up to tier {person.max_tier}; this is a tier {case.tier} case"
    if person.kinds and case.kind not in person.kinds:
        return f"{case.kind} is not among {name}'s case kinds"
    if (case.language and person.languages and person.role in LANGUAGE_BOUND_ROLES
            and case.language not in person.languages):
        return f"{language_name(case.language)} is not one of {name}'s languages"
    unmet_need = unmet(Requirements(queue.slug, tuple(sorted(queue.skills)),
                                    tuple(sorted(queue.certifications))),
                       Standing(person.skills, person.certifications), who=name)
    if unmet_need:
        return unmet_need
    return why_not_now(person, case)


def why_not_now(person: Candidate, case: CaseFacts) -> str | None:
    """The rules of the moment (availability, shift, capacity, harm cap), apart, because pull
    checks them for the claimer before looking at any case."""
    name = person.name
    reasons = not_ready(person.availability, person.shift, person.in_hand, person.capacity)
    if reasons:
        return f"{name} is {reasons[0]}"
    if (case.harmful and person.harm_cap is not None
            and person.seen_today >= person.harm_cap):
        return (f"{name} has seen today's cap of harmful items ({person.seen_today} of "
                f"{person.harm_cap})")
    return None


@dataclass(frozen=True)
class Judgement:
    """A team's people judged for one case: who is eligible, why each other one is not."""

    eligible: tuple[Candidate, ...]
    refused: tuple[str, ...]  # "not to …" reasons, in the members' order
    members: int
    full: bool  # someone is at capacity (the reason a team may take nothing)


Judge = Callable[[CaseFacts, QueueFacts, Sequence[Candidate]], Judgement]


def judge(case: CaseFacts, queue: QueueFacts, members: Sequence[Candidate], *,
          language_name: Callable[[str], str] = str) -> Judgement:
    """Every member asked ``why_not``; a caller routing many cases may keep the answer for
    cases that differ in nothing the rules read (routing.push.Router does)."""
    eligible, refused = [], []
    for person in members:
        reason = why_not(person, case, queue, language_name=language_name)
        (refused.append(f"not to {reason}") if reason else eligible.append(person))
    return Judgement(tuple(eligible), tuple(refused), len(members),
                     any(p.capacity is not None and p.in_hand >= p.capacity for p in members))


@dataclass(frozen=True)
class QueueChoice:
    queue: QueueFacts | None
    reasons: str  # one sentence for the timeline
    eligible: tuple[Candidate, ...] = ()


def _weight(queue: QueueFacts, known: Sequence[float]) -> float:
    """Quality factor: 1 − w + w × accuracy; an unknown accuracy counts as the mean of the
    known ones (or 1 when none is known), so no data neither helps nor hurts."""
    accuracy = queue.quality if queue.quality is not None else (
        sum(known) / len(known) if known else 1.0)
    return 1 - queue.quality_weight + queue.quality_weight * accuracy


def _names(refused: list[str]) -> str:
    shown = refused[:MAX_NAMED]
    more = len(refused) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more else "")


def choose_queue(case: CaseFacts, queues: Sequence[QueueFacts],
                 people: dict[int | None, list[Candidate]], waiting: dict[int, int], *,
                 language_name: Callable[[str], str] = str,
                 team_keys: Mapping[int | None, Collection[str]] | None = None,
                 judged: Judge | None = None) -> QueueChoice:
    """The queue among ``queues`` (already those that take the case, in position order) with
    the most weighted free capacity per case already waiting in it, so work spreads in
    proportion to each team's free capacity instead of all going to the largest; ``people``
    are the members of each team (by team id), ``waiting`` the cases waiting per queue (the
    caller adds each case it routes)."""
    if judged is None:
        def judged(c: CaseFacts, q: QueueFacts, m: Sequence[Candidate]) -> Judgement:
            return judge(c, q, m, language_name=language_name)
    if not queues:
        return QueueChoice(None, f"no active queue takes {case.kind} cases")
    if len(queues) == 1:
        queue = queues[0]
        found = judged(case, queue, people.get(queue.team_id, []))
        return QueueChoice(queue, f"to {queue.slug} ({queue.group}): the only queue that "
                                  f"takes this case", found.eligible)
    known = [q.quality for q in queues if q.quality is not None]
    scored = []
    for queue in queues:
        found = judged(case, queue, people.get(queue.team_id, []))
        scored.append((sum(p.free for p in found.eligible) * _weight(queue, known), queue,
                       found.eligible, found.members, found.full))
    total = sum(s[0] for s in scored)
    if case.keys:  # affinity: the team already working on the same business or reviewer
        if team_keys is None:  # what each team's people hold, unless the caller keeps it
            team_keys = {q.team_id: {k for p in people.get(q.team_id, []) for k in p.holds}
                         for q in queues}
        holding = [s for s in scored if s[1].affinity and s[2]
                   and not case.keys.isdisjoint(team_keys.get(s[1].team_id, ()))]
        if holding:
            best = max(holding, key=lambda s: (s[0], -s[1].position, -s[1].id))
            shared = case.keys & set(team_keys.get(best[1].team_id, ()))
            what = ("business" if any(k.startswith("business:") for k in shared)
                    else "reviewer")
            return QueueChoice(best[1], f"to {best[1].slug} ({best[1].group}): "
                                        f"{best[1].group} already holds open work about the "
                                        f"same {what}", best[2])
    if total <= 0:
        first = queues[0]
        return QueueChoice(first, f"to {first.slug} ({first.group}), the first queue that "
                                  "takes this case: nobody in any of them is ready now "
                                  f"({', '.join(q.group for q in queues)})", ())
    best = max(scored, key=lambda s: (s[0] / (waiting.get(s[1].id, 0) + 1), -s[1].position,
                                      -s[1].id))
    parts = [f"to {best[1].slug} ({best[1].group}): {len(best[2])} of {best[3]} people "
             f"ready, {best[0] / total:.0%} of free capacity"]
    for weighted, queue, eligible, members, full in scored:
        if queue is best[1]:
            continue
        parts.append(f"{queue.group} {weighted / total:.0%}" if eligible
                     else f"{queue.group} at capacity" if full
                     else f"{queue.group} nobody ready" if members
                     else f"{queue.group} has nobody")
    return QueueChoice(best[1], "; ".join(parts), best[2])


@dataclass(frozen=True)
class PersonChoice:
    person: Candidate | None
    reasons: str


def choose_person(case: CaseFacts, queue: QueueFacts, members: Iterable[Candidate], *,
                  language_name: Callable[[str], str] = str,
                  judged: Judge | None = None) -> PersonChoice:
    """The person a push queue gives the case to, or None (it then waits to be claimed)."""
    found = (judged(case, queue, list(members)) if judged is not None
             else judge(case, queue, list(members), language_name=language_name))
    eligible, refused = list(found.eligible), list(found.refused)
    if not eligible:
        return PersonChoice(None, "waits in the queue: nobody is ready"
                                  + (f" ({_names(refused)})" if refused else ""))
    if queue.affinity and case.keys:
        holders = [p for p in eligible if case.keys & p.holds]
        if holders:
            person = min(holders, key=lambda p: (p.load, p.id))
            shared = sorted(case.keys & person.holds)
            what = "business" if shared[0].startswith("business:") else "reviewer"
            return PersonChoice(person, f"to {person.name}: already holds open work about "
                                        f"the same {what}")
    person = min(eligible, key=lambda p: (p.load, p.in_hand, p.id))
    load = (f"{person.in_hand} of {person.capacity} cases in hand" if person.capacity
            else f"{person.in_hand} cases in hand")
    words = f"to {person.name}: {load}, the most free of {len(eligible)} ready"
    return PersonChoice(person, words + (f"; {_names(refused)}" if refused else ""))
