"""A discrete-event simulation of the desk (SimPy): arrivals go to their queue's waiting
line, people on shift pull the most urgent case they may work, handle it, and pull the next.

It decides with the desk's own rules, not copies of them:

* **who may work what** — ``routing.choose.why_not`` (role, legal restriction, tier, kinds,
  language, the queue's skills and certifications) decides once per person and kind of case;
  ``routing.choose.why_not_now`` (availability, shift, capacity) when a person looks for work;
* **when people work** — ``people.shifts.shift_spans`` (weekly pattern in the person's time
  zone, extra shifts, leave, sickness, training), the function routing reads;
* **what is urgent** — the order of the pull claim (priority, then resolution due, then
  arrival), with due instants from ``sla.clock.start_clock`` on the policy's or team's
  calendar (business hours and holidays included), as intake sets them.

Simplifications, stated in docs/staffing.md: a person handles one case at a time and finishes
it past the end of a shift; handling time is exponential with the queue's average handling
time; nobody pauses a case (waiting on requester) and nothing is escalated or reassigned.

Pure: the scenario (arrivals, people, queues) is read by staffing/scenario.py.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import simpy

from integrity_desk.people.shifts import ShiftState
from integrity_desk.routing.choose import Candidate, CaseFacts, QueueFacts, why_not, why_not_now
from integrity_desk.sla.calendar import BusinessCalendar
from integrity_desk.sla.clock import SlaTarget, start_clock

Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Arrival:
    at: datetime
    queue_id: int
    kind: str
    priority: int
    tier: int = 1
    language: str | None = None
    legal_restricted: bool = False


@dataclass(frozen=True)
class SimQueue:
    facts: QueueFacts  # routing's view of the queue
    vendor: str
    aht_minutes: float
    calendar: BusinessCalendar  # the team's (a policy's own calendar wins, as at intake)


@dataclass
class SimPerson:
    candidate: Candidate  # routing's view of the person
    vendor: str
    spans: list[Span]  # on shift, within the simulated period


@dataclass(frozen=True)
class Targets:
    """SLA policies as the simulation needs them: (kind, priority) → target and calendar."""

    policies: dict[tuple[str, int], tuple[SlaTarget, BusinessCalendar | None]]


@dataclass
class Tally:
    arrived: int = 0
    started: int = 0
    finished: int = 0
    first_response_met: int = 0
    resolution_met: int = 0
    waits: list[float] = field(default_factory=list)  # minutes from arrival to start

    @property
    def first_response_attainment(self) -> float | None:
        return self.first_response_met / self.started if self.started else None

    @property
    def resolution_attainment(self) -> float | None:
        return self.resolution_met / self.finished if self.finished else None

    def share_waiting_at_most(self, minutes: float) -> float | None:
        if not self.waits:
            return None
        return sum(1 for w in self.waits if w <= minutes) / len(self.waits)


@dataclass
class Result:
    start: datetime
    end: datetime
    by_queue: dict[int, Tally]
    by_vendor: dict[str, Tally]
    backlog: dict[int, list[int]]  # waiting cases per queue at each hour from ``start``
    busy: dict[str, float]  # seconds handling work, per vendor
    on_shift: dict[str, float]  # seconds on shift, per vendor
    unplaced: int  # arrivals nobody on the desk may work

    def occupancy(self, vendor: str) -> float | None:
        return self.busy[vendor] / self.on_shift[vendor] if self.on_shift.get(vendor) else None


@dataclass(order=True)
class _Waiting:
    priority: int
    due: float
    arrived: float
    seq: int
    arrival: Arrival = field(compare=False)
    first_due: float = field(compare=False, default=math.inf)


class _Desk:
    def __init__(self, start: datetime, end: datetime, queues: Sequence[SimQueue],
                 people: Sequence[SimPerson], targets: Targets, seed: int) -> None:
        self.env = simpy.Environment()
        self.start, self.end = start, end
        self.queues = {q.facts.id: q for q in queues}
        self.people = list(people)
        self.targets = targets
        self.rng = random.Random(seed)
        self.lines: dict[tuple[int, str | None, int, str, bool], list[_Waiting]] = defaultdict(
            list)
        self.takers: dict[tuple[int, str | None, int, str, bool], list[int]] = {}
        self.idle: dict[int, simpy.Event] = {}
        self.by_queue: dict[int, Tally] = defaultdict(Tally)
        self.by_vendor: dict[str, Tally] = defaultdict(Tally)
        self.busy: dict[str, float] = defaultdict(float)
        self.on_shift: dict[str, float] = defaultdict(float)
        self.backlog: dict[int, list[int]] = {q: [] for q in self.queues}
        self.seq = 0
        self.unplaced = 0
        self.period = self.seconds(end)
        for person in self.people:  # time on shift within the period, known beforehand
            self.on_shift[person.vendor] += sum(
                max(0.0, (min(e, end) - max(s, start)).total_seconds()) for s, e in person.spans)
        self.lines_of: dict[int, list[tuple[int, str | None, int, str, bool]]] = defaultdict(
            list)

    def seconds(self, at: datetime) -> float:
        return (at - self.start).total_seconds()

    # -- who may take what (routing's rules, once per person and kind of case) -------------

    def line_of(self, a: Arrival) -> tuple[int, str | None, int, str, bool]:
        key = (a.queue_id, a.language, a.tier, a.kind, a.legal_restricted)
        if key not in self.takers:
            queue = self.queues[a.queue_id]
            case = CaseFacts(key=f"{a.kind}", kind=a.kind, tier=a.tier, language=a.language,
                             legal_restricted=a.legal_restricted,
                             legal_notice=a.kind == "legal_notice")
            ready = ShiftState(True, "on shift")
            takers = []
            for i, person in enumerate(self.people):
                team = queue.facts.team_id
                if team is not None and person.candidate.team_id != team:
                    continue
                if why_not(replace(person.candidate, shift=ready, in_hand=0), case,
                           queue.facts) is None:
                    takers.append(i)
                    self.lines_of[i].append(key)
            self.takers[key] = takers
        return key

    # -- processes ---------------------------------------------------------------------------

    def arrivals(self, arrivals: Iterable[Arrival]) -> simpy.events.ProcessGenerator:
        for a in arrivals:
            wait = self.seconds(a.at) - self.env.now
            if wait > 0:
                yield self.env.timeout(wait)
            queue = self.queues.get(a.queue_id)
            if queue is None:
                self.unplaced += 1
                continue
            key = self.line_of(a)
            self.by_queue[a.queue_id].arrived += 1
            self.by_vendor[queue.vendor].arrived += 1
            if not self.takers[key]:
                self.unplaced += 1
            first, resolution = self.due(a, queue)
            self.seq += 1
            heapq.heappush(self.lines[key], _Waiting(a.priority, resolution, self.env.now,
                                                     self.seq, a, first))
            for i in self.takers[key]:  # wake one idle person who may take it
                event = self.idle.pop(i, None)
                if event is not None:
                    event.succeed()
                    break

    def due(self, a: Arrival, queue: SimQueue) -> tuple[float, float]:
        found = self.targets.policies.get((a.kind, a.priority))
        if found is None:
            return math.inf, math.inf
        target, calendar = found
        due = start_clock(calendar or queue.calendar, target, a.at)
        return self.seconds(due.first_response_due_at), self.seconds(due.resolution_due_at)

    def person(self, i: int) -> simpy.events.ProcessGenerator:
        p = self.people[i]
        for span_start, span_end in p.spans:
            begin, finish = self.seconds(span_start), self.seconds(span_end)
            if begin > self.env.now:
                yield self.env.timeout(begin - self.env.now)
            while self.env.now < finish:
                job = self.take(i)
                if job is None:
                    event = self.env.event()
                    self.idle[i] = event
                    yield event | self.env.timeout(finish - self.env.now)
                    self.idle.pop(i, None)
                    continue
                yield from self.handle(p, job, finish)

    def take(self, i: int) -> _Waiting | None:
        """The most urgent case of the lines this person may take (the pull claim's order)."""
        person = self.people[i].candidate
        if why_not_now(person, _ANY) is not None:
            return None
        best_key, best = None, None
        for key in self.lines_of[i]:
            line = self.lines[key]
            if line and (best is None or line[0] < best):
                best_key, best = key, line[0]
        if best_key is None:
            return None
        return heapq.heappop(self.lines[best_key])

    def handle(self, p: SimPerson, job: _Waiting, shift_end: float
               ) -> simpy.events.ProcessGenerator:
        a = job.arrival
        queue = self.queues[a.queue_id]
        started = self.env.now
        for tally in (self.by_queue[a.queue_id], self.by_vendor[queue.vendor]):
            tally.started += 1
            tally.first_response_met += started <= job.first_due
            tally.waits.append((started - job.arrived) / 60)
        handling = self.rng.expovariate(1 / (queue.aht_minutes * 60))
        # Occupancy is handling ÷ time on shift within the period: the minutes a case runs past
        # the shift's end (overtime) or past the period (the drain) are in neither.
        self.busy[p.vendor] += max(0.0, min(started + handling, shift_end, self.period)
                                   - started)
        yield self.env.timeout(handling)
        for tally in (self.by_queue[a.queue_id], self.by_vendor[queue.vendor]):
            tally.finished += 1
            tally.resolution_met += self.env.now <= job.due

    def monitor(self) -> simpy.events.ProcessGenerator:
        hours = math.ceil((self.end - self.start).total_seconds() / 3600)
        waiting: dict[int, int] = defaultdict(int)
        for _ in range(hours):
            waiting.clear()
            for key, line in self.lines.items():
                waiting[key[0]] += len(line)
            for queue_id in self.queues:
                self.backlog[queue_id].append(waiting[queue_id])
            yield self.env.timeout(3600)


_ANY = CaseFacts(key="any", kind="flag", tier=1)


def simulate(start: datetime, end: datetime, arrivals: Sequence[Arrival],
             queues: Sequence[SimQueue], people: Sequence[SimPerson], targets: Targets, *,
             seed: int = 1, drain: timedelta = timedelta(days=3)) -> Result:
    """Run ``arrivals`` of ``[start, end)`` through the desk; work left at ``end`` is finished
    in the ``drain`` after it (people keep their shifts), so every case counts once."""
    desk = _Desk(start, end, queues, people, targets, seed)
    desk.env.process(desk.arrivals(sorted(arrivals, key=lambda a: a.at)))
    for i in range(len(people)):
        desk.env.process(desk.person(i))
    desk.env.process(desk.monitor())
    desk.env.run(until=(end + drain - start).total_seconds())
    return Result(start, end, dict(desk.by_queue), dict(desk.by_vendor), desk.backlog,
                  dict(desk.busy), dict(desk.on_shift), desk.unplaced)
