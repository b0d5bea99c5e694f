"""The simulation against a week the desk really worked.

    .venv/bin/python -m bench.simulate_history --db sqlite [--per-day 120] [--people 6]

A week of history is made by the desk itself, not written into its tables: flags arrive
through the real intake (triage sets their priority, routing their queue, the SLA policy and
calendar their due instants), and a vendor's agents on shift (08:00–16:00 UTC, Monday to
Friday, and two on Saturday) claim the most urgent case with the real ``claim_next_of_mine``,
start it (the first response) and decide it after an exponential handling time of the
contract's 20 minutes. Then ``staffing.simulate`` replays the week's arrivals with the same
people and shifts, and its first-response attainment is set against the desk's recorded one.

The difference is the model's error on a desk whose history was worked by people on shifts:
the simulation's own simplifications (its handling times are other draws of the same
distribution; it knows no ageing, pauses or reassignment) show up in it.
"""

from __future__ import annotations

import argparse
import heapq
import math
import random
import time
from datetime import UTC, date, datetime, timedelta

from pydantic import TypeAdapter
from sqlalchemy import select, update

from bench.common import Table, fresh_database, load_average, log
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.people.models import Team, User, Vendor, VendorContract
from integrity_desk.people.service import actor_of, create_user
from integrity_desk.people.shifts import shift_state
from integrity_desk.routing.models import Queue
from integrity_desk.routing.service import claim_next_of_mine

AHT_MINUTES = 20.0
WEEK = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
FLAG = TypeAdapter(CaseIn)


def _flag(n: int, rng: random.Random) -> CaseIn:
    return FLAG.validate_python({
        "kind": "flag",
        "category": rng.choice(["fake", "fake", "advertising_spam", "offensive_language"]),
        "reason": "Never a customer.", "reporter_type": "business",
        "reporter": {"name": "Shop Owner", "email": "owner@shop.example.com"},
        "review": {"ref": f"w{n}", "text": "Best ever!!!", "rating": 5, "language": "en",
                   "business_domain": f"shop{n % 40}.example.com", "reviewer_ref": f"u{n}"}})


def setup(db: Database, people: int) -> list[int]:
    with db.session() as s:
        vendor = Vendor(name="Atlas", languages=["en"], time_zone="UTC")
        s.add(vendor)
        s.flush()
        s.add(VendorContract(vendor_id=vendor.id, starts_on=date(2026, 1, 1),
                             aht_minutes=AHT_MINUTES, first_response_attainment=0.9))
        team = Team(name="Atlas flags", kind="vendor", vendor_id=vendor.id)
        s.add(team)
        s.flush()
        s.execute(update(Queue).where(Queue.slug == "flags").values(team_id=team.id))
        ids = []
        for i in range(people):
            user = create_user(s, email=f"a{i}@atlas.example.com", name=f"Agent {i}",
                               role="agent", team=team, languages=["en"], actor=SYSTEM)
            days = ["mon", "tue", "wed", "thu", "fri"] + (["sat"] if i < 2 else [])
            user.shift_pattern = {d: [["08:00", "16:00"]] for d in days}
            ids.append(user.id)
    return ids


def work_the_week(db: Database, people: list[int], per_day: int, seed: int, *,
                  days: int = 7) -> int:
    """Intake and work ``days`` from WEEK, minute by minute where anything happens; returns
    the number of arrivals."""
    rng = random.Random(seed)
    end = WEEK + timedelta(days=days)
    arrivals: list[datetime] = []
    t = WEEK
    while True:  # a daytime-heavy day: twice the rate 08:00–20:00
        hour_rate = per_day / 36 * (2 if 8 <= t.hour < 20 else 1)
        t += timedelta(hours=rng.expovariate(hour_rate))
        if t >= end:
            break
        arrivals.append(t)
    finishing: list[tuple[datetime, int, int]] = []  # (when, case id, person id)
    busy: set[int] = set()
    waiting = 0
    n = 0
    minute = WEEK
    with db.session() as s:
        users = {u.id: u for u in s.scalars(select(User).where(User.id.in_(people)))}
        patterns = {i: (u.shift_pattern, u.time_zone) for i, u in users.items()}
    while minute < end + timedelta(days=2):
        nxt = minute + timedelta(minutes=1)
        with db.session() as s:
            while n < len(arrivals) and arrivals[n] < nxt:
                Intake(s, now=arrivals[n], actor=SYSTEM).submit(_flag(n, rng))
                n += 1
                waiting += 1
            while finishing and finishing[0][0] < nxt:
                at, case_id, person = heapq.heappop(finishing)
                case = s.get(Case, case_id)
                user = s.get(User, person)
                cases.transition(s, case, action="decide", actor_user=user,
                                 actor=actor_of(user), now=at, outcome="no action")
                busy.discard(person)
            if waiting:
                for person in people:
                    pattern, zone = patterns[person]
                    if person in busy or not shift_state(pattern, zone, [], minute).on_shift:
                        continue
                    user = s.get(User, person)
                    got = claim_next_of_mine(s, user=user, actor=actor_of(user), now=minute)
                    if got is None:
                        continue
                    case = s.get(Case, got[0])
                    cases.transition(s, case, action="start", actor_user=user,
                                     actor=actor_of(user), now=minute)
                    waiting -= 1
                    busy.add(person)
                    done = minute + timedelta(minutes=rng.expovariate(1 / AHT_MINUTES))
                    heapq.heappush(finishing, (done, got[0], person))
                    if not waiting:
                        break
        if n >= len(arrivals) and not waiting and not finishing:
            break
        # Jump ahead to the next thing that can happen: an arrival, a finish, a shift start.
        upcoming = [arrivals[n]] if n < len(arrivals) else []
        upcoming += [finishing[0][0]] if finishing else []
        if waiting:
            upcoming.append(nxt)
        minute = max(nxt, min(upcoming).replace(second=0, microsecond=0)) if upcoming else nxt
    return len(arrivals)


def compare(db: Database, start: datetime, end: datetime, seeds: int = 5
            ) -> tuple[float | None, list[float]]:
    """The flags queue's first-response attainment as recorded, and as simulated with each
    of ``seeds`` seeds."""
    from integrity_desk.staffing import scenario
    from integrity_desk.staffing.simulate import simulate

    with db.session() as s:
        real = scenario.actual(s, start, end)
        world = scenario.load(s, start, end)
        queue_id = s.scalar(select(Queue.id).where(Queue.slug == "flags"))
    sims = []
    for seed in range(1, seeds + 1):
        result = simulate(start, end, world.arrivals, world.queues, world.people,
                          world.targets, seed=seed)
        sims.append(result.by_queue[queue_id].first_response_attainment or 0.0)
    return real.get(queue_id), sims


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="sqlite")
    p.add_argument("--per-day", type=int, default=120)
    p.add_argument("--people", type=int, default=6)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    db = fresh_database(args.db, "simulate_history")
    try:
        people = setup(db, args.people)
        t = time.perf_counter()
        arrived = work_the_week(db, people, args.per_day, args.seed)
        log(f"the desk worked {arrived:,} flags in {time.perf_counter() - t:.0f} s")
        real, sims = compare(db, WEEK, WEEK + timedelta(days=7))
    finally:
        db.dispose()
    mean = sum(sims) / len(sims)
    spread = math.sqrt(sum((x - mean) ** 2 for x in sims) / (len(sims) - 1))
    real = real or 0.0
    table = Table(f"The simulation against a worked week ({args.db}, load {load_average()})")
    table.add("flags the desk took in and worked", f"{arrived:,}")
    table.add("first response met, as the desk recorded it", f"{real * 100:.1f} %")
    table.add("first response met, simulated (mean of 5 seeds)", f"{mean * 100:.1f} %")
    table.add("  spread between seeds (standard deviation)", f"{spread * 100:.1f} points")
    table.add("error (simulated − recorded)", f"{(mean - real) * 100:+.1f} points")
    table.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
