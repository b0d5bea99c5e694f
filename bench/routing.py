"""Routing a batch of flags (issue 20): what choosing a queue and a person adds to batch intake.

    .venv/bin/python -m bench.routing --db postgresql --flags 1000 --batches 4

Target: "routing a batch of 1,000 new flags across 3 vendors and 300 people adds <= 1 ms per
flag over today's batch intake on PostgreSQL".

The desk is set up through its services: 3 vendors, each with one team and one queue taking
flags at tier 1 in any language; 100 agents per team (capacity 5-10, a weekly shift covering now
for most and not for some, a few away). The default ``flags`` queue is deactivated. Then
batches of ``--flags`` new flags go through the Intake service in this process
(``Intake.submit_flags`` in a unit of work of its own, committed, as POST /api/v1/cases/batch
runs it), in three configurations, taking turns batch by batch so that a busier machine or a
fuller database weighs on each alike:

  (a) one queue takes flags (the other two take no flags: no routing choice, no people read),
      pull: today's batch intake;
  (b) the three queues take flags, pull: a queue is chosen per case by free capacity;
  (c) the three queues take flags, push: a queue and a person are chosen per case, the case is
      inserted assigned and a work interval opened.

In process rather than over HTTP: the difference between configurations is server work, and
HTTP, JSON and the client on the same two cores would only add noise to a difference of a
millisecond. Per flag: wall ms, this process's CPU ms (time.process_time, the "server" CPU)
and the PostgreSQL backends' CPU (/proc, as bench.common.CpuMeter reads it).
``--profile`` profiles the push configuration's batches with cProfile (top by cumulative).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import time
from collections import Counter
from typing import Any

from sqlalchemy import event, func, select, update

from bench.common import CpuMeter, Table, fresh_database, load_average, log
from bench.intake import flag_body, premirror
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.service import Intake
from integrity_desk.people import schedule, teams, vendors
from integrity_desk.people.models import Team, User
from integrity_desk.people.service import create_user
from integrity_desk.routing import manage, settings

VENDORS = ("Acme Moderation", "Borealis Review", "Cobalt Trust")
ALL_WEEK = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CONFIGS = {"a": "one queue takes flags (today's intake)", "b": "3 competing pull queues",
           "c": "3 competing push queues"}


def slug(n: int) -> str:
    return f"vendor-{n + 1}-flags"


def off_shift_now() -> dict[str, list[list[str]]]:
    """A weekly pattern that does not cover now (UTC): every day but today."""
    today = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[utcnow().weekday()]
    return {d: v for d, v in ALL_WEEK.items() if d != today}


def set_up(db: Database, *, people: int, rnd: random.Random) -> dict[str, Any]:
    """Vendors, teams, queues and people through the desk's services (audited as they would
    be by an administrator)."""
    made = {"off_shift": 0, "away": 0, "capacity": 0}
    with db.session() as session:
        for n, name in enumerate(VENDORS):
            vendors.create_vendor(session, actor=SYSTEM, name=name, languages=[],
                                  time_zone="UTC", coverage=ALL_WEEK)
            team = teams.create_team(session, actor=SYSTEM, name=f"{name} agents",
                                     kind="vendor", vendor=name)
            manage.create_queue(session, actor=SYSTEM, slug=slug(n), name=f"{name} flags",
                                team=team.name, kinds=["flag"], tier=1, position=10 + n)
            for i in range(people):
                user = create_user(session, email=f"agent{n}-{i}@bench.example.com",
                                   name=f"Agent {n}-{i}", role="agent", team=team,
                                   actor=SYSTEM)
                capacity = rnd.randint(5, 10)
                shift = ALL_WEEK if rnd.random() >= 0.1 else off_shift_now()
                schedule.update_person(session, actor=SYSTEM, user=user, changes={
                    "capacity": capacity, "time_zone": "UTC", "shift_pattern": shift})
                if shift is not ALL_WEEK:
                    made["off_shift"] += 1
                elif rnd.random() < 0.05:
                    schedule.set_availability(session, actor=SYSTEM, person=user,
                                              status="away", now=utcnow(), reason="bench")
                    made["away"] += 1
                else:
                    made["capacity"] += capacity
        manage.deactivate_queue(session, actor=SYSTEM, slug="flags")
    return made


def configure(db: Database, config: str, round_: int) -> None:
    """(a): one vendor's queue takes flags, a different one each round (so that the cases it
    leaves waiting weigh on each queue alike); (b), (c): all three, pull or push."""
    with db.session() as session:
        for n in range(len(VENDORS)):
            alone = n == round_ % len(VENDORS)
            kinds = ["flag"] if config != "a" or alone else ["investigation"]
            manage.update_queue(session, actor=SYSTEM, slug=slug(n), changes={"kinds": kinds})
            mode = "push" if config == "c" else "pull"
            settings.change_routing_settings(session, actor=SYSTEM, slug=slug(n),
                                             changes={"mode": mode}, note=f"bench {config}")


def hand_back(db: Database, case_ids: list[int]) -> int:
    """Put a push batch's cases back in their queues unassigned, so that every push batch
    meets the same free capacity (300 agents hold about two batches). Bench state, not
    configuration: a plain UPDATE (their work intervals stay open; routing does not read
    them)."""
    with db.session() as session:
        result = session.execute(
            update(Case).where(Case.id.in_(case_ids), Case.assignee_id.is_not(None))
            .values(assignee_id=None, status="triaged"))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def spread(db: Database, case_ids: list[int]) -> dict[str, int]:
    """Where a batch's cases went: per vendor queue, and how many were assigned."""
    with db.session() as session:
        rows = session.execute(
            select(Case.queue_id, Case.assignee_id.is_not(None), func.count())
            .where(Case.id.in_(case_ids)).group_by(Case.queue_id, Case.assignee_id.is_not(None)))
        slugs = dict(session.execute(select(manage.Queue.id, manage.Queue.slug)).all())
        out: Counter[str] = Counter()
        for queue_id, assigned, count in rows:
            out[slugs.get(queue_id, "none")] += count
            if assigned:
                out["assigned"] += count
    return dict(out)


def over_capacity(db: Database) -> list[str]:
    """People holding more open cases than their capacity."""
    with db.session() as session:
        people = list(session.scalars(select(User).where(User.team_id.is_not(None))))
        held = schedule.in_hand(session, [p.id for p in people])
        return [f"{p.email}: {held[p.id]} of {p.capacity}" for p in people
                if p.capacity is not None and held[p.id] > p.capacity]


def free_capacity(db: Database) -> dict[str, int]:
    """Free capacity per vendor team of the people ready now (what spreading follows)."""
    now = utcnow()
    with db.session() as session:
        out = {}
        for team in session.scalars(select(Team).where(Team.vendor_id.is_not(None))
                                    .order_by(Team.id)):
            people = list(session.scalars(select(User).where(User.team_id == team.id)))
            ready = schedule.readiness_of(session, people, now)
            out[team.name] = sum(max(0, (p.capacity or 0) - ready[p.id].in_hand)
                                 for p in people
                                 if ready[p.id].shift.on_shift and p.availability == "available")
    return out


def run_batch(db: Database, items: list[dict[str, Any]], profiler: cProfile.Profile | None
              ) -> dict[str, Any]:
    """One batch as the batch route runs it: one unit of work, committed."""
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    meter = CpuMeter(0)  # no server process: only the PostgreSQL and machine figures are read
    meter.start()
    w0, c0 = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    with db.session() as session:
        results = Intake(session, now=utcnow(), actor=SYSTEM).submit_flags(items)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    meter.stop()
    event.remove(db.engine, "before_cursor_execute", count)
    status = Counter(r["status"] for r in results)
    if status["created"] != len(items):
        raise SystemExit(f"batch: {dict(status)} (expected {len(items)} created)")
    with db.session() as session:
        ids = list(session.scalars(select(Case.id).order_by(Case.id.desc()).limit(len(items))))
    return {"wall": wall, "cpu": cpu, "pg": meter.used.get("postgresql (bench dbs)", 0.0),
            "statements": statements[0], "ids": ids}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    p.add_argument("--flags", type=int, default=1000, help="flags per batch")
    p.add_argument("--batches", type=int, default=4, help="batches per configuration")
    p.add_argument("--people", type=int, default=100, help="agents per vendor team")
    p.add_argument("--warmup", type=int, default=1,
                   help="batches per configuration run first and not counted")
    p.add_argument("--profile", action="store_true",
                   help="cProfile the push configuration's batches (top 15 by cumulative)")
    p.add_argument("--keep-assigned", action="store_true",
                   help="leave push batches assigned (later batches meet full hands)")
    args = p.parse_args(argv)

    log(f"routing benchmark on {args.db}; load average {load_average()}")
    rnd = random.Random(20)
    db = fresh_database(args.db, "routing")
    premirror(db)
    made = set_up(db, people=args.people, rnd=rnd)
    log(f"set up: {len(VENDORS)} vendors x {args.people} agents ({made['off_shift']} off shift "
        f"now, {made['away']} away); free capacity {made['capacity']}")
    capacity_before = free_capacity(db)
    profiler = cProfile.Profile() if args.profile else None
    # The spread on empty queues first (also a warm-up): pull routing weighs free capacity
    # against the cases already waiting, so later batches also even out what (a) left behind.
    first: dict[str, dict[str, int]] = {}
    for config in ("b", "c"):
        configure(db, config, 0)
        got = run_batch(db, [flag_body(f"first-{config}-{i}", rnd) for i in range(args.flags)],
                        None)
        first[config] = spread(db, got["ids"])
        if config == "c":
            hand_back(db, got["ids"])
        log(f"first batch ({config}) on empty queues: {first[config]}")
    figures: dict[str, list[dict[str, Any]]] = {c: [] for c in CONFIGS}
    spreads: dict[str, Counter[str]] = {c: Counter() for c in CONFIGS}
    counter = 0
    broken: list[str] = []
    for round_ in range(args.warmup + args.batches):
        counted = round_ >= args.warmup
        for config in CONFIGS:  # in turns: a, b, c, a, b, c, ...
            configure(db, config, round_)
            items = [flag_body(f"r{counter}-{i}", rnd) for i in range(args.flags)]
            counter += 1
            got = run_batch(db, items, profiler if config == "c" and counted else None)
            ids = got.pop("ids")
            where = spread(db, ids)
            if config == "c":
                broken += over_capacity(db)
                if not args.keep_assigned:
                    hand_back(db, ids)
            log(f"round {round_ + 1}{'' if counted else ' (warm-up)'} ({config}) "
                f"{1000 * got['wall'] / args.flags:.2f} ms/flag wall, "
                f"{1000 * got['cpu'] / args.flags:.2f} ms/flag CPU; {where}; "
                f"load {load_average()}")
            if counted:
                figures[config].append(got)
                spreads[config].update(where)

    def per_flag(config: str, key: str) -> float:
        return 1000 * statistics.median(f[key] for f in figures[config]) / args.flags

    table = Table(f"routing a batch of {args.flags} flags on {args.db} ({len(VENDORS)} vendors, "
                  f"{len(VENDORS) * args.people} people; median of {args.batches} batches each, "
                  "in process)")
    pg = args.db == "postgresql"
    for config, words in CONFIGS.items():
        table.add(f"({config}) {words}: wall / CPU" + (" / PostgreSQL CPU" if pg else "")
                  + " ms per flag",
                  f"{per_flag(config, 'wall'):.2f} / {per_flag(config, 'cpu'):.2f}"
                  + (f" / {per_flag(config, 'pg'):.2f}" if pg else ""))
    table.add("SQL statements per batch (a) / (b) / (c)", " / ".join(
        str(max(f["statements"] for f in figures[c])) for c in CONFIGS))
    for config in ("b", "c"):
        wall = per_flag(config, "wall") - per_flag("a", "wall")
        cpu = per_flag(config, "cpu") - per_flag("a", "cpu")
        table.add(f"({config}) - (a): wall / CPU ms per flag", f"{wall:+.2f} / {cpu:+.2f}",
                  target="<= 1 ms" if pg else "", ok=wall <= 1.0 if pg else None)
    def shown(s: dict[str, int], config: str) -> str:
        return (" / ".join(str(s.get(slug(n), 0)) for n in range(len(VENDORS)))
                + (f" (assigned {s.get('assigned', 0)})" if config == "c" else ""))

    for config in ("b", "c"):
        table.add(f"({config}) first batch on empty queues, to vendors 1/2/3",
                  shown(first[config], config))
    for config in ("b", "c"):
        table.add(f"({config}) measured batches, to vendors 1/2/3",
                  shown(spreads[config], config))
    table.add("free capacity of ready people per vendor at start",
              " / ".join(str(v) for v in capacity_before.values()))
    table.add("(c) people over capacity", len(broken), target="0", ok=not broken)
    table.add("load average after run", load_average())
    table.print()
    for line in broken[:5]:
        print("over capacity:", line)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(15)
        print("\n-- cProfile of the push batches (top 15 by cumulative) --")
        print(out.getvalue())
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
