"""`idesk report weekly --week 2026-W49 [--out DIR]`: generate an ISO week's report, keep it
(the console's Reports page lists it) and write its printable page and CSV bundle to DIR.

Run on the server by whoever holds its database URL, so it acts as the system and is audited
as such; one transaction. Without --week: last week (the report the worker makes on Mondays).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from integrity_desk.cli.common import console, database, fail, lazy
from integrity_desk.errors import DeskError

audit = lazy("integrity_desk.audit.service")
db_module = lazy("integrity_desk.db")
reports = lazy("integrity_desk.kpis.reports")

report_app = typer.Typer(help="Reports of the desk's figures (docs/kpis.md).",
                         no_args_is_help=True)


@report_app.command("weekly")
def weekly(
    week: Annotated[str | None, typer.Option(help="the ISO week, e.g. 2026-W49 "
                                                  "(default: last week)")] = None,
    out: Annotated[Path, typer.Option(help="where to write the page and the CSV bundle")] =
    Path("."),
) -> None:
    """Generate and keep an ISO week's report; write weekly-<week>.html and .zip."""
    now = db_module.utcnow()
    db = database()
    try:
        period = reports.week_of(week) if week else reports.last_week(now)
        with db.session() as session:
            with console.status(f"Counting {period.label}…"):
                kept = reports.generate(session, period, now=now, actor=audit.SYSTEM)
            html, bundle = kept.html, kept.bundle
    except DeskError as error:
        fail(error)
    out.mkdir(parents=True, exist_ok=True)
    page, archive = out / f"weekly-{period.label}.html", out / f"weekly-{period.label}.zip"
    page.write_text(html, encoding="utf-8")
    archive.write_bytes(bundle)
    typer.echo(f"{period.label}: {page} and {archive} (kept; listed under Reports)")
