"""What the simulation replays, read from the desk: a period's real arrivals (or a forecast of
them), the queues with their teams, vendors, handling times and routing requirements, the
people with their shifts as routing sees them (or a staffing plan's headcount), and the SLA
policies with their calendars. Then the simulation's figures beside what really happened.

A fixed number of statements whatever the period's size.
"""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.errors import InvalidInput
from integrity_desk.people import certifications
from integrity_desk.people.models import WORKING_ROLES, ShiftException, User
from integrity_desk.people.shifts import ExceptionSpan, shift_spans
from integrity_desk.routing import requirements
from integrity_desk.routing.choose import Candidate, QueueFacts
from integrity_desk.routing.models import Queue
from integrity_desk.sla.service import SlaBook, target_of
from integrity_desk.staffing import history
from integrity_desk.staffing.forecast import forecast, local_holidays
from integrity_desk.staffing.simulate import Arrival, SimPerson, SimQueue, Targets

MAX_DAYS = 42


@dataclass
class Scenario:
    start: datetime
    end: datetime
    arrivals: list[Arrival]
    queues: list[SimQueue]
    people: list[SimPerson]
    targets: Targets
    source: str  # "the desk's arrivals" or "a forecast …"
    staffing: str  # "the people's shifts" or "the plan FILE"


def load(session: Session, start: datetime, end: datetime, *, use_forecast: bool = False,
         plan_file: Path | None = None, seed: int = 1) -> Scenario:
    if not start < end or end - start > timedelta(days=MAX_DAYS):
        raise InvalidInput(f"a period of up to {MAX_DAYS} days, its end after its start",
                           field="to")
    facts = history.queues(session, now=start, history_start=start - timedelta(weeks=8))
    rows = {q.id: q for q in session.scalars(select(Queue).where(Queue.active))}
    needs = requirements.of_queues(session, rows.values())
    queues = [SimQueue(QueueFacts(id=f.id, slug=f.slug, team_id=f.team_id, group=f.vendor,
                                  skills=frozenset(needs[f.id].skills),
                                  certifications=frozenset(needs[f.id].certifications)),
                       f.vendor, f.aht_minutes, f.calendar) for f in facts]
    if use_forecast:
        arrivals, source = _forecast_arrivals(session, facts, start, end, seed)
    else:
        arrivals, source = _real_arrivals(session, start, end), "the desk's own arrivals"
    if plan_file is not None:
        people, staffing = _plan_people(plan_file, facts, start, end), f"the plan {plan_file}"
    else:
        people, staffing = _people(session, facts, start, end), "the people's shifts"
    book = SlaBook(session)
    targets = Targets({key: (target_of(p), book.calendars.get(p.calendar_id)
                             if p.calendar_id else None)
                       for key, p in book.policies.items()})
    return Scenario(start, end, arrivals, queues, people, targets, source, staffing)


def _real_arrivals(session: Session, start: datetime, end: datetime) -> list[Arrival]:
    return [Arrival(at.replace(tzinfo=UTC) if at.tzinfo is None else at, queue_id, kind,
                    priority, tier, language, bool(legal))
            for at, queue_id, kind, priority, tier, language, legal in session.execute(
                select(Case.created_at, Case.queue_id, Case.kind, Case.priority, Case.tier,
                       Case.language, Case.legal_restricted)
                .where(Case.created_at >= start, Case.created_at < end,
                       Case.queue_id.is_not(None)).order_by(Case.created_at))]


def _forecast_arrivals(session: Session, facts: list[history.QueueFacts], start: datetime,
                       end: datetime, seed: int) -> tuple[list[Arrival], str]:
    """Poisson arrivals at the forecast's hourly rates, with each queue's mix of kinds,
    priorities, tiers and languages of its last eight weeks."""
    first = start.replace(minute=0, second=0, microsecond=0)
    hours = int((end - first).total_seconds() // 3600) + 1
    since = first - timedelta(weeks=history.HISTORY_WEEKS)
    seen = history.arrivals(session, since, first)
    mixes: dict[int, Counter[tuple[str, int, int, str | None, bool]]] = defaultdict(Counter)
    for queue_id, kind, priority, tier, language, legal, n in session.execute(
            select(Case.queue_id, Case.kind, Case.priority, Case.tier, Case.language,
                   Case.legal_restricted, func.count())
            .where(Case.created_at >= since, Case.created_at < first,
                   Case.queue_id.is_not(None))
            .group_by(Case.queue_id, Case.kind, Case.priority, Case.tier, Case.language,
                      Case.legal_restricted)):
        mixes[queue_id][(kind, priority, tier, language, bool(legal))] += n
    rng = random.Random(seed)
    out: list[Arrival] = []
    for f in facts:
        mix = mixes.get(f.id)
        if not mix:
            continue
        kinds, weights = zip(*mix.items(), strict=True)
        ahead = forecast(seen.get(f.id, [0.0] * history.HISTORY_WEEKS * 168), first, hours,
                         is_holiday=local_holidays(f.calendar))
        for h, rate in enumerate(ahead.hourly):
            for _ in range(poisson(rng, rate)):
                at = first + timedelta(hours=h, seconds=rng.random() * 3600)
                if start <= at < end:
                    kind, priority, tier, language, legal = rng.choices(kinds, weights)[0]
                    out.append(Arrival(at, f.id, kind, priority, tier, language, legal))
    out.sort(key=lambda a: a.at)
    return out, "a forecast of each queue (Poisson arrivals at its hourly rates)"


def poisson(rng: random.Random, rate: float) -> int:
    """A Poisson draw: Knuth's method for the handful an hour a queue gets, a normal
    approximation above 30 (where the product of uniforms would take long to fall)."""
    if rate <= 0:
        return 0
    if rate > 30:
        return max(0, round(rng.gauss(rate, rate ** 0.5)))
    limit, k, product = pow(2.718281828459045, -rate), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _people(session: Session, facts: list[history.QueueFacts], start: datetime,
            end: datetime) -> list[SimPerson]:
    """Everyone who works cases, as routing sees them, with their shifts over the period and
    the drain after it."""
    until = end + timedelta(days=3)
    vendors = {f.team_id: f.vendor for f in facts if f.team_id is not None}
    members = list(session.scalars(select(User).where(
        User.active.is_(True), User.role.in_(sorted(WORKING_ROLES))).order_by(User.id)))
    held = certifications.held(session, [m.id for m in members], start)
    off: dict[int, list[ExceptionSpan]] = defaultdict(list)
    for e in session.scalars(select(ShiftException).where(
            ShiftException.ends_at > start, ShiftException.starts_at < until)):
        off[e.user_id].append(ExceptionSpan(e.kind, e.starts_at, e.ends_at))
    return [SimPerson(
        Candidate(id=m.id, name=m.name, role=m.role, team_id=m.team_id,
                  languages=tuple(m.languages), kinds=tuple(m.kinds),
                  skills=frozenset(m.skills), certifications=frozenset(held[m.id]),
                  max_tier=m.max_tier, capacity=m.capacity),
        vendors.get(m.team_id, "no team") if m.team_id is not None else "no team",
        shift_spans(m.shift_pattern or {}, m.time_zone or "UTC", off[m.id], start, until))
        for m in members]


def _plan_people(path: Path, facts: list[history.QueueFacts], start: datetime,
                 end: datetime) -> list[SimPerson]:
    """A staffing plan's scheduled headcount (the CSV of ``idesk staffing plan``), as people
    of each queue's team on shift hour by hour: what-if staffing, before anyone is hired."""
    by_slug = {f.slug: f for f in facts}
    wanted: dict[str, dict[datetime, float]] = defaultdict(dict)
    try:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                at = datetime.strptime(row["hour_utc"], "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
                wanted[row["queue"]][at] = float(row["scheduled"] or 0)
    except (OSError, KeyError, ValueError) as exc:
        raise InvalidInput(f"{path}: not a staffing plan CSV ({exc})", field="plan") from None
    people: list[SimPerson] = []
    next_id = 1
    for slug, hours in wanted.items():
        f = by_slug.get(slug)
        if f is None:
            continue
        peak = round(max(hours.values(), default=0))
        for seat in range(peak):
            spans = [(at, at + timedelta(hours=1)) for at, n in sorted(hours.items())
                     if round(n) > seat and start <= at < end + timedelta(days=3)]
            people.append(SimPerson(
                Candidate(id=-next_id, name=f"{f.team} seat {seat + 1}", role="manager",
                          team_id=f.team_id, max_tier=9), f.vendor, _merge(spans)))
            next_id += 1
    return people


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for s, e in spans:
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def actual(session: Session, start: datetime, end: datetime) -> dict[int, float | None]:
    """What really happened to the period's arrivals: each queue's first-response attainment
    (responded by the due instant), to set the simulation against."""
    met: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for queue_id, responded, due in session.execute(
            select(Case.queue_id, Case.first_responded_at, Case.first_response_due_at)
            .where(Case.created_at >= start, Case.created_at < end,
                   Case.queue_id.is_not(None), Case.first_response_due_at.is_not(None))):
        if responded is None:
            continue
        met[queue_id][1] += 1
        met[queue_id][0] += responded <= due
    return {q: (m / n if n else None) for q, (m, n) in met.items()}

