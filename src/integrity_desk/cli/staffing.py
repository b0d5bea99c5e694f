"""`idesk staffing plan`: people needed against people on shift, per vendor and queue, for the
weeks ahead (docs/staffing.md). Reads only; the CSV has every hour."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from integrity_desk.cli.common import console, database, fail, lazy
from integrity_desk.errors import DeskError

db_module = lazy("integrity_desk.db")

if TYPE_CHECKING:
    from integrity_desk.staffing.plan import Plan

DEFAULT_SHRINKAGE = 0.3  # staffing.plan's; not imported here: numpy loads only when planning

staffing_app = typer.Typer(help="Capacity planning: forecasts, Erlang C and the staffing plan.",
                           no_args_is_help=True)
# Wide tables: a pipe or a file gets 200 columns rather than Rich's 80, a terminal its own.
out = Console() if Console().is_terminal else Console(width=200)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _error(plan_queue: object) -> str:
    a = plan_queue.forecast.accuracy  # type: ignore[attr-defined]
    if a.mape is None:
        return "no held-out week"
    return f"{a.mape * 100:.0f} % / {a.bias * 100:+.0f} %" if a.bias is not None else (
        f"{a.mape * 100:.0f} %")


def summary(plan: Plan) -> Table:
    title = (f"Staffing plan from {plan.start:%Y-%m-%d %H:%M} UTC, {plan.weeks} "
             f"week{'s' if plan.weeks != 1 else ''}, shrinkage {plan.shrinkage * 100:.0f} %, "
             f"{plan.what_if.words}")
    table = Table("vendor", "queue", "per week", "MAPE / bias", "AHT", "target",
                  "peak need", "hours short", "worst gap", "SL", "occup.", title=title)
    for vendor, queues in sorted(plan.by_vendor().items()):
        for q in queues:
            weekly = sum(h.arrivals for h in q.hours) / plan.weeks
            table.add_row(vendor, q.queue.name, f"{weekly:,.0f}",
                          _error(q),
                          f"{q.queue.aht_minutes * plan.what_if.aht:.0f} min",
                          f"{_pct(q.queue.level)} in {q.queue.target_minutes:.0f} min",
                          f"{max((h.required_on_shift for h in q.hours), default=0):.1f}",
                          str(q.short_hours), f"{q.worst_gap:+.1f}",
                          _pct(q.expected_service_level), _pct(q.mean_occupancy))
    return table


@staffing_app.command("plan")
def plan_command(
    weeks: Annotated[int, typer.Option(min=1, max=6, help="weeks ahead")] = 2,
    what_if: Annotated[list[str] | None, typer.Option(
        "--what-if", help="volume=+20% or aht=-10% (repeat for both)")] = None,
    shrinkage: Annotated[float, typer.Option(
        help="share of paid time not handling work (breaks, meetings)")] = DEFAULT_SHRINKAGE,
    csv: Annotated[Path | None, typer.Option(
        "--csv", help="write every queue's every hour to this CSV file")] = None,
) -> None:
    """Forecast each queue, staff it with Erlang C, and set the need against the shifts."""
    from integrity_desk.staffing import export
    from integrity_desk.staffing.plan import parse_what_if
    from integrity_desk.staffing.plan import plan as make_plan

    db = database()
    try:
        scenario = parse_what_if(what_if or [])
        with console.status("Forecasting and planning"), db.session() as session:
            made = make_plan(session, now=db_module.utcnow(), weeks=weeks, what_if=scenario,
                             shrinkage=shrinkage)
    except DeskError as exc:
        fail(exc)
    out.print(summary(made))
    teams = {q.queue.team: q.unscheduled_people for q in made.queues if q.unscheduled_people}
    for team, count in sorted(teams.items()):
        who = "1 person has" if count == 1 else f"{count} people have"
        out.print(f"[yellow]{team}[/yellow]: {who} no shift pattern, counted as on shift "
                  "throughout (as routing treats them).")
    if csv is not None:
        csv.write_text(export.to_csv(made), encoding="utf-8")
        console.print(f"wrote {sum(len(q.hours) for q in made.queues):,} rows to {csv}")
