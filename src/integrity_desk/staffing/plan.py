"""The staffing plan: per vendor, queue and hour of the weeks ahead, how many people the
forecast work needs (Erlang C) against how many are on shift, the gap, their occupancy and the
service level to expect — and the same under a what-if (±X % volume, ±Y % handling time).

How the parts fit (docs/staffing.md):

* **Arrivals** per queue and hour come from the forecast (staffing/forecast.py) of the queue's
  own history, with the held-out error beside it.
* **Closed hours.** On a team calendar with business hours or holidays, what arrives while the
  calendar is closed waits for the next working hour (its SLA clock starts then): the plan
  needs nobody while closed and carries the work into the opening hour.
* **Required** people per hour: Erlang C with the hour's arrivals, the queue's handling time
  (its KPI, else its vendor's contract, else the desk's default) and its target (the first
  response target of its commonest work; the share to meet it from the vendor's contract, else
  90 %). **Required on shift** adds shrinkage (breaks, meetings, coaching: 30 % unless told).
* **Scheduled** people per hour: the team's people on shift by the rules routing uses (their
  weekly patterns, extra shifts, leave, sickness, training). A team working several queues has
  its people shared among them in proportion to the queues' load in that hour.
* **Gap** = scheduled − required on shift (negative: people missing); **occupancy** and the
  **expected service level** with the scheduled people after shrinkage (0 where they are fewer
  than the load: the backlog grows that hour).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from integrity_desk.errors import InvalidInput
from integrity_desk.staffing import erlang
from integrity_desk.staffing.forecast import Accuracy, Forecast, forecast, local_holidays
from integrity_desk.staffing.history import (
    HISTORY_WEEKS,
    QueueFacts,
    arrivals,
    on_shift,
    queues,
)

DEFAULT_SHRINKAGE = 0.3
MAX_WEEKS = 6
SPREAD_HOURS = 8  # closed hours' work is handled over at most this many working hours


@dataclass(frozen=True)
class WhatIf:
    """Multipliers on the forecast volume and on handling time (1.2 is +20 %)."""

    volume: float = 1.0
    aht: float = 1.0

    @property
    def words(self) -> str:
        parts = [f"volume {_pct(self.volume)}" if self.volume != 1 else "",
                 f"handling time {_pct(self.aht)}" if self.aht != 1 else ""]
        return ", ".join(p for p in parts if p) or "as forecast"


def _pct(factor: float) -> str:
    return f"{(factor - 1) * 100:+.0f} %"


def parse_what_if(values: list[str]) -> WhatIf:
    """``volume=+20%``, ``aht=-10%`` (repeatable) → the multipliers; errors name the value."""
    found = {"volume": 1.0, "aht": 1.0}
    for value in values:
        name, _, amount = value.partition("=")
        name = name.strip().lower()
        if name not in found:
            raise InvalidInput(f"{value!r}: say volume=±N% or aht=±N%", field="what_if")
        text = amount.strip().removesuffix("%").strip()
        try:
            change = float(text)
        except ValueError:
            raise InvalidInput(f"{value!r}: {amount!r} is not a percentage",
                               field="what_if") from None
        if not -90 <= change <= 500:
            raise InvalidInput(f"{value!r}: between -90% and +500%", field="what_if")
        found[name] = 1 + change / 100
    return WhatIf(found["volume"], found["aht"])


@dataclass(frozen=True)
class Hour:
    at: datetime
    arrivals: float  # forecast, what-if applied
    workload: float  # arrivals carried to a working hour (0 while the calendar is closed)
    load: float  # Erlangs
    required: float  # people handling work (Erlang C; a share of the team's pool)
    required_on_shift: float  # required ÷ (1 − shrinkage): people to have on shift
    scheduled: float  # people on shift for this queue
    gap: float  # scheduled − required on shift
    occupancy: float | None  # with the scheduled people (None: nobody on shift, no work)
    service_level: float | None  # expected, with the scheduled people (None: no work)
    open: bool  # the team calendar is working


@dataclass
class QueuePlan:
    queue: QueueFacts
    forecast: Forecast
    hours: list[Hour] = field(default_factory=list)
    unscheduled_people: int = 0

    @property
    def short_hours(self) -> int:
        return sum(1 for h in self.hours if h.gap < -0.05)

    @property
    def worst_gap(self) -> float:
        return min((h.gap for h in self.hours), default=0.0)

    @property
    def expected_service_level(self) -> float | None:
        """The share of the horizon's work expected to start within target."""
        work = sum(h.workload for h in self.hours if h.service_level is not None)
        if not work:
            return None
        return sum(h.workload * (h.service_level or 0) for h in self.hours) / work

    @property
    def mean_occupancy(self) -> float | None:
        busy = [h.occupancy for h in self.hours if h.occupancy is not None and h.workload]
        return sum(busy) / len(busy) if busy else None


@dataclass
class Plan:
    start: datetime
    weeks: int
    shrinkage: float
    what_if: WhatIf
    queues: list[QueuePlan]

    def by_vendor(self) -> dict[str, list[QueuePlan]]:
        out: dict[str, list[QueuePlan]] = defaultdict(list)
        for q in self.queues:
            out[q.queue.vendor].append(q)
        return dict(out)


def plan(session: Session, *, now: datetime, weeks: int = 2,
         what_if: WhatIf = WhatIf(), shrinkage: float = DEFAULT_SHRINKAGE,
         queue_ids: list[int] | None = None) -> Plan:
    """The plan from the next whole hour for ``weeks`` weeks."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"plan 1 to {MAX_WEEKS} weeks ahead", field="weeks")
    if not 0 <= shrinkage < 0.9:
        raise InvalidInput("shrinkage is a share from 0 to 0.9 (0.3 is 30 %)",
                           field="shrinkage")
    start = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    hours = weeks * 168
    history_start = start - timedelta(weeks=HISTORY_WEEKS)
    facts = [q for q in queues(session, now=now, history_start=history_start)
             if queue_ids is None or q.id in queue_ids]
    if queue_ids is not None and len(facts) != len(set(queue_ids)):
        raise InvalidInput("no such active queue", field="queue")
    seen = arrivals(session, history_start, start)
    team_ids = sorted({q.team_id for q in facts if q.team_id is not None})
    people, unscheduled = on_shift(session, team_ids, start, hours)
    plans = []
    for q in facts:
        q.arrivals = seen.get(q.id, [0.0] * (HISTORY_WEEKS * 168))
        ahead = forecast(q.arrivals, start, hours, is_holiday=local_holidays(q.calendar))
        plans.append(QueuePlan(q, ahead, unscheduled_people=unscheduled.get(q.team_id or 0, 0)))
    _fill(plans, people, start, what_if, shrinkage)
    return Plan(start, weeks, shrinkage, what_if, plans)


def _workload(q: QueuePlan, start: datetime, what_if: WhatIf) -> tuple[list[float], list[bool]]:
    """Arrivals per hour, and the work per hour once what arrived while the team calendar was
    closed waits for it to open: spread over the first working hours, as many as the target
    allows and at most a working day (``SPREAD_HOURS``) — a weekend's flags are not all
    handled in Monday's first hour, nor need they be, when the target is a day."""
    calendar = q.queue.calendar
    arrived = [v * what_if.volume for v in q.forecast.hourly]
    is_open = [calendar.is_working(start + timedelta(hours=h, minutes=30))
               for h in range(len(arrived))]
    spread = max(1, min(SPREAD_HOURS, int(q.queue.target_minutes // 60)))
    work = [0.0] * len(arrived)
    waiting, pending = 0.0, []  # closed-hours work, and the open hours it is spread over
    for h, (value, now_open) in enumerate(zip(arrived, is_open, strict=True)):
        if not now_open:
            waiting += value
            continue
        if waiting:
            share = waiting / spread
            pending = [share + (pending[i] if i < len(pending) else 0.0)
                       for i in range(max(spread, len(pending)))]
            waiting = 0.0
        work[h] = value + (pending.pop() if pending else 0.0)
    return work, is_open


def _fill(plans: list[QueuePlan], people: dict[int, list[float]], start: datetime,
          what_if: WhatIf, shrinkage: float) -> None:
    """Every hour of every queue. A team's people serve all its queues, so the team is the
    pool Erlang C staffs (its load is its queues' loads; its handling time their mean weighted
    by work; its target the strictest) and each queue is shown its share of the pool's need,
    people and gap, in proportion to its load that hour — and the pool's service level, judged
    by the queue's own target. A team of one queue is that queue alone."""
    pools: dict[object, list[QueuePlan]] = defaultdict(list)
    for p in plans:  # a queue without a team is a pool of its own, with nobody on shift
        pools[p.queue.team_id if p.queue.team_id is not None else ("alone", p.queue.id)
              ].append(p)
    for key, members in pools.items():
        hours = len(members[0].forecast.hourly)
        ahts = [m.queue.aht_minutes * what_if.aht / 60 for m in members]
        works, opens = zip(*(_workload(m, start, what_if) for m in members), strict=True)
        team_people = people.get(key, []) if isinstance(key, int) else []
        target = min(m.queue.target_minutes for m in members) / 60
        level = max(m.queue.level for m in members)
        for h in range(hours):
            loads = [w[h] * a for w, a in zip(works, ahts, strict=True)]
            total, arrivals = sum(loads), sum(w[h] for w in works)
            aht = total / arrivals if arrivals else ahts[0]
            need = erlang.required_agents(total, aht, target, level)
            on_shift = team_people[h] if team_people else 0.0
            at = start + timedelta(hours=h)
            for i, m in enumerate(members):
                share = loads[i] / total if total > 0 else 1 / len(members)
                m.hours.append(_hour(
                    at, m.forecast.hourly[h] * what_if.volume, works[i][h], loads[i],
                    need * share, need * share / (1 - shrinkage), on_shift * share, shrinkage,
                    ahts[i], m.queue.target_minutes / 60, opens[i][h], (on_shift, total)))


def _hour(at: datetime, arrived: float, work: float, load: float, need: float,
          need_on_shift: float, on_shift: float, shrinkage: float, aht: float, target: float,
          is_open: bool, pool: tuple[float, float]) -> Hour:
    """One hour's figures. The expected service level counts the pool's whole people on shift
    against its load grown by shrinkage (each person handles work 1 − shrinkage of the hour):
    one person on shift with a tenth of an hour of work meets the target, where flooring 0.7 of
    a person to nobody would say the hour fails."""
    pool_people, pool_load = pool
    handling = pool_people * (1 - shrinkage)
    if load <= 0:
        level, busy = None, (0.0 if handling > 0 else None)
    else:
        level = erlang.service_level(math.floor(pool_people + 1e-9),
                                     pool_load / (1 - shrinkage), aht, target)
        busy = min(1.0, pool_load / handling) if handling > 0 else 1.0
    return Hour(at, arrived, work, load, round(need, 2), round(need_on_shift, 2),
                round(on_shift, 2), round(on_shift - need_on_shift, 2), busy, level, is_open)


def accuracy_words(a: Accuracy) -> str:
    if a.mape is None:
        return "no held-out week yet (needs two weeks of history)"
    return (f"MAPE {a.mape * 100:.1f} %, bias {a.bias * 100:+.1f} % on the last "
            f"{a.weeks} week{'s' if a.weeks != 1 else ''} held out" if a.bias is not None
            else f"MAPE {a.mape * 100:.1f} %")
