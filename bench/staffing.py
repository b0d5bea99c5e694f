"""Capacity planning at the size of a large desk: the simulation of a week and the plan.

    .venv/bin/python -m bench.staffing --db postgresql [--arrivals 50000] [--people 300]
    .venv/bin/python -m bench.staffing --db sqlite

Builds a fresh database ``bench_staffing``: three vendors with a team each, ten queues (four,
three and three), ``--people`` people spread over the teams on three shifts a day (06–14,
14–22, 22–06 in their own time zones, five days of seven, with some on leave), and eight
weeks of history of ``--arrivals`` cases a week, with a daily and a weekly cycle.

Targets (issue 25): the week of ``--arrivals`` arrivals with ``--people`` people simulates in
≤ 30 s; a 6-week forecast and plan of the ten queues in ≤ 5 s. Reported: wall and CPU time of
each, and what the simulation found (the first-response attainment and occupancy per vendor).
"""

from __future__ import annotations

import argparse
import math
import random
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from bench.common import Table, fresh_database, load_average, log
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.people.models import ShiftException, Team, User, Vendor, VendorContract
from integrity_desk.routing.models import Queue
from integrity_desk.staffing.scenario import poisson

VENDORS = [("Atlas", "Europe/Lisbon", 4), ("Northwind", "Asia/Manila", 3),
           ("Cobalt", "Europe/Warsaw", 3)]
SHIFTS = [("06:00", "14:00"), ("14:00", "22:00"), ("22:00", "24:00")]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def build(db: Database, *, arrivals: int, people: int, now: datetime) -> None:
    rng = random.Random(25)
    with db.session() as s:
        queue_ids = []
        for name, zone, n_queues in VENDORS:
            vendor = Vendor(name=name, languages=["en", "de", "fr"], time_zone=zone)
            s.add(vendor)
            s.flush()
            s.add(VendorContract(vendor_id=vendor.id, starts_on=date(2026, 1, 1),
                                 aht_minutes=6 + 2 * len(queue_ids) % 5,
                                 first_response_attainment=0.9))
            team = Team(name=f"{name} team", kind="vendor", vendor_id=vendor.id)
            s.add(team)
            s.flush()
            for q in range(n_queues):
                queue = Queue(slug=f"{name.lower()}-{q}", name=f"{name} queue {q}",
                              team_id=team.id, kinds=["flag"], position=10 + len(queue_ids))
                s.add(queue)
                s.flush()
                queue_ids.append(queue.id)
        teams = list(s.scalars(select(Team).where(Team.vendor_id.is_not(None))))
        users = []
        for i in range(people):
            team = teams[i % len(teams)]
            zone = next(z for n, z, _ in VENDORS if team.name.startswith(n))
            start, end = SHIFTS[(i // len(teams)) % len(SHIFTS)]
            works = [DAYS[(i + d) % 7] for d in range(5)]
            pattern = {d: [[start, end]] for d in works}
            if end == "24:00":  # the night shift goes on to 06:00 the next day
                for d in works:
                    pattern.setdefault(DAYS[(DAYS.index(d) + 1) % 7], []).append(
                        ["00:00", "06:00"])
            users.append(dict(email=f"p{i}@bench.example.com", name=f"Person {i}",
                              role="agent", team_id=team.id, languages=["en", "de", "fr"],
                              skills=[], kinds=[], max_tier=2, active=True, time_zone=zone,
                              shift_pattern=pattern, availability="available",
                              blur_harm=True, password_hash=None))
        s.execute(insert(User), users)
        ids = list(s.scalars(select(User.id).where(User.email.like("p%@bench.example.com"))))
        s.execute(insert(ShiftException), [dict(
            user_id=uid, kind="leave", starts_at=now + timedelta(days=rng.randrange(0, 7)),
            ends_at=now + timedelta(days=rng.randrange(8, 12))) for uid in ids[::12]])
    weights = [1.0 + 0.3 * (k % 4) for k in range(len(queue_ids))]
    total = sum(weights)
    first = (now - timedelta(weeks=8)).replace(minute=0, second=0, microsecond=0)
    per_hour_base = arrivals / 168
    with db.session() as s:
        rows = []
        for h in range(8 * 168):
            at = first + timedelta(hours=h)
            daily = 0.55 + 0.9 * math.exp(-((at.hour - 14) ** 2) / 30)
            weekly = 1.15 if at.weekday() < 5 else 0.65
            trend = 1 + 0.002 * (h / 24)
            rate = per_hour_base * daily * weekly * trend / 1.05
            for qi, queue_id in enumerate(queue_ids):
                for _ in range(poisson(rng, rate * weights[qi] / total)):
                    rows.append(dict(kind="flag", channel="api", title="A flag",
                                     status="closed", is_open=False, tier=1,
                                     priority=rng.choice((1, 2, 2, 2, 3)),
                                     requester_type="user", language=rng.choice(
                                         ("en", "en", "de", "fr")),
                                     created_at=at + timedelta(seconds=rng.random() * 3600),
                                     updated_at=at, queue_id=queue_id))
            if len(rows) >= 20_000:
                s.execute(insert(Case), rows)
                rows = []
        if rows:
            s.execute(insert(Case), rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    p.add_argument("--arrivals", type=int, default=50_000, help="cases a week")
    p.add_argument("--people", type=int, default=300)
    args = p.parse_args(argv)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    db = fresh_database(args.db, "staffing")
    table = Table(f"Capacity planning ({args.db}, load {load_average()})")
    try:
        log(f"building 8 weeks of {args.arrivals:,} cases a week and {args.people} people")
        t = time.perf_counter()
        build(db, arrivals=args.arrivals, people=args.people, now=now)
        log(f"built in {time.perf_counter() - t:.0f} s")
        from integrity_desk.staffing import plan as planning
        from integrity_desk.staffing import scenario
        from integrity_desk.staffing.simulate import simulate

        runs = []
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            with db.session() as s:
                made = planning.plan(s, now=now, weeks=6)
            runs.append((time.perf_counter() - t, time.process_time() - c))
        wall, cpu = sorted(runs)[1]
        hours = sum(len(q.hours) for q in made.queues)
        table.add("6-week plan of 10 queues: wall (median of 3)", f"{wall:.2f} s",
                  target="≤ 5 s", ok=wall <= 5)
        table.add("  CPU of this process", f"{cpu:.2f} s")
        table.add("  the first run (imports statsmodels)", f"{runs[0][0]:.2f} s")
        table.add("  queue-hours planned", f"{hours:,}")
        errors = [q.forecast.accuracy.mape for q in made.queues
                  if q.forecast.accuracy.mape is not None]
        table.add("  forecast MAPE on the held-out week, mean of queues",
                  f"{sum(errors) / len(errors) * 100:.1f} %" if errors else "–")
        start = now - timedelta(days=7)
        t = time.perf_counter()
        with db.session() as s:
            world = scenario.load(s, start, now)
        read = time.perf_counter() - t
        t, c = time.perf_counter(), time.process_time()
        result = simulate(start, now, world.arrivals, world.queues, world.people,
                          world.targets, seed=1)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        table.add(f"simulate a week: {len(world.arrivals):,} arrivals, "
                  f"{len(world.people)} people", f"{wall:.1f} s", target="≤ 30 s",
                  ok=wall + read <= 30)
        table.add("  reading the week from the database", f"{read:.1f} s")
        table.add("  CPU of the simulation", f"{cpu:.1f} s")
        for vendor, tally in sorted(result.by_vendor.items()):
            occupancy = result.occupancy(vendor)
            table.add(f"  {vendor}: first response met / occupancy",
                      f"{(tally.first_response_attainment or 0) * 100:.1f} % / "
                      f"{(occupancy or 0) * 100:.0f} %")
    finally:
        db.dispose()
    table.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
