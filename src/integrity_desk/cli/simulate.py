"""`idesk routing simulate --from --to [--forecast] [--plan FILE]`: a period of the desk's
arrivals (or a forecast) replayed through its own routing, shift and SLA rules, and what it
says about SLA attainment, backlog and occupancy per queue and vendor (docs/staffing.md)."""

from __future__ import annotations

import csv
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from integrity_desk.cli.common import console, database, fail
from integrity_desk.errors import DeskError

routing_app = typer.Typer(help="Routing: simulate the desk over a period.",
                          no_args_is_help=True)
# Wide tables: a pipe or a file gets 200 columns rather than Rich's 80, a terminal its own.
out = Console() if Console().is_terminal else Console(width=200)
BARS = "▁▂▃▄▅▆▇█"


def _day(value: str, name: str) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if "T" not in value else (
            datetime.fromisoformat(value).astimezone(UTC))
    except ValueError:
        fail(f"{name}: {value!r} is not a date (2026-11-30) or an instant")


def sparkline(values: list[int], width: int = 56) -> str:
    """The backlog over the period in one line of block characters (the CSV has the hours)."""
    if not values:
        return ""
    step = max(1, -(-len(values) // width))
    points = [max(values[i:i + step]) for i in range(0, len(values), step)]
    top = max(points) or 1
    return "".join(BARS[min(len(BARS) - 1, round(p / top * (len(BARS) - 1)))] for p in points)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


@routing_app.command("simulate")
def simulate_command(
    from_: Annotated[str, typer.Option("--from", help="first day (UTC), e.g. 2026-11-30")],
    to: Annotated[str, typer.Option("--to", help="day after the last (UTC)")],
    use_forecast: Annotated[bool, typer.Option(
        "--forecast", help="forecast arrivals instead of replaying the real ones")] = False,
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="staff it as a staffing plan CSV says (idesk staffing plan --csv)")
                    ] = None,
    seed: Annotated[int, typer.Option(help="random seed: the same seed, the same run")] = 1,
    backlog_csv: Annotated[Path | None, typer.Option(
        "--backlog-csv", help="write each queue's waiting cases hour by hour")] = None,
) -> None:
    """Replay the period through the desk's rules and report what it says."""
    from integrity_desk.staffing import scenario
    from integrity_desk.staffing.simulate import simulate

    start, end = _day(from_, "--from"), _day(to, "--to")
    db = database()
    try:
        with console.status("Reading the period"), db.session() as session:
            world = scenario.load(session, start, end, use_forecast=use_forecast,
                                  plan_file=plan, seed=seed)
            real = scenario.actual(session, start, end) if not use_forecast else {}
    except DeskError as exc:
        fail(exc)
    began = time.perf_counter()
    with console.status(f"Simulating {len(world.arrivals):,} arrivals and "
                        f"{len(world.people):,} people"):
        result = simulate(start, end, world.arrivals, world.queues, world.people,
                          world.targets, seed=seed)
    took = time.perf_counter() - began
    names = {q.facts.id: (q.facts.slug, q.vendor) for q in world.queues}
    table = Table("vendor", "queue", "arrived", "handled", "first response (sim)",
                  "first response (real)", "resolution (sim)", "wait p50 / p90",
                  "backlog over the period",
                  title=f"{start:%Y-%m-%d} to {end:%Y-%m-%d}: {world.source}, staffed by "
                        f"{world.staffing}")
    for queue_id, tally in sorted(result.by_queue.items(),
                                  key=lambda kv: (names[kv[0]][1], names[kv[0]][0])):
        slug, vendor = names[queue_id]
        waits = sorted(tally.waits)
        p50 = waits[len(waits) // 2] if waits else None
        p90 = waits[int(len(waits) * 0.9)] if waits else None
        table.add_row(vendor, slug, f"{tally.arrived:,}", f"{tally.finished:,}",
                      _pct(tally.first_response_attainment),
                      _pct(real.get(queue_id)) if not use_forecast else "–",
                      _pct(tally.resolution_attainment),
                      "–" if p50 is None else f"{p50:,.0f} / {p90:,.0f} min",
                      sparkline(result.backlog.get(queue_id, [])))
    out.print(table)
    vendors = Table("vendor", "arrived", "first response", "resolution", "occupancy",
                    title="Per vendor")
    for vendor, tally in sorted(result.by_vendor.items()):
        vendors.add_row(vendor, f"{tally.arrived:,}", _pct(tally.first_response_attainment),
                        _pct(tally.resolution_attainment), _pct(result.occupancy(vendor)))
    out.print(vendors)
    if result.unplaced:
        out.print(f"[yellow]{result.unplaced:,} arrivals had nobody on the desk who may work "
                  "them[/yellow] (kind, tier, language, skills or certifications).")
    console.print(f"simulated in {took:.1f} s")
    if backlog_csv is not None:
        with backlog_csv.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["hour_utc", *(names[q][0] for q in sorted(result.backlog))])
            hours = max((len(v) for v in result.backlog.values()), default=0)
            for h in range(hours):
                at = start + timedelta(hours=h)
                writer.writerow([at.strftime("%Y-%m-%dT%H:%MZ"),
                                 *(result.backlog[q][h] for q in sorted(result.backlog))])
