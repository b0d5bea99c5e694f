"""``idesk dsa …``: statements of reasons and the Commission's Transparency Database."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.table import Table

from integrity_desk.cli.common import console, database, fail, lazy, progress
from integrity_desk.errors import DeskError

config = lazy("integrity_desk.settings")

dsa_app = typer.Typer(help="DSA statements of reasons and the Transparency Database.",
                      no_args_is_help=True)





@dsa_app.command("submit")
def submit(
    limit: Annotated[int | None, typer.Option(help="send at most this many", min=1)] = None,
) -> None:
    """Send queued statements now (the worker does this every IDESK_DSA_SUBMIT_SECONDS)."""
    from integrity_desk.dsa.client import TransparencyClient
    from integrity_desk.dsa.service import status_counts
    from integrity_desk.dsa.submission import Submitter

    settings = config.get_settings()
    if not settings.dsa_api_url:
        fail("IDESK_DSA_API_URL is not set")
    db = database()
    with db.session() as session:
        queued = status_counts(session)["queued"]
    total = min(queued, limit) if limit else queued
    with TransparencyClient(settings.dsa_api_url, settings.dsa_api_token,
                            timeout=settings.dsa_timeout_seconds) as client, progress() as bar:
        task = bar.add_task("submitting", total=total)
        report = Submitter(db.session, client, actor="cli",
                           max_retries=settings.dsa_max_retries).run(
            limit=limit, progress=lambda n: bar.advance(task, n))
    console.print(f"submitted {report.submitted}, already there {report.already_there}, "
                  f"parked {report.parked}, still queued {report.queued_left} "
                  f"({report.calls} calls, {report.retries} retries)")
    for puid in report.parked_puids:
        console.print(f"  parked {puid}: see `idesk dsa status`")
    if report.stopped:
        fail(f"stopped: {report.stopped}", code=1)


@dsa_app.command("export")
def export(
    from_: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"],
                                            help="first day (UTC), YYYY-MM-DD")],
    to: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"],
                                         help="last day (UTC), included")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    out: Annotated[Path | None, typer.Option(help="file to write (default: stdout)")] = None,
    include_superseded: Annotated[bool, typer.Option(
        help="also the versions later corrected")] = False,
) -> None:
    """Stream the statements created in a date range, in constant memory."""
    from integrity_desk.dsa.export import FORMATS, count_for_export, export_statements

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}")
    start, end = from_.date(), to.date()
    if end < start:
        fail("--to is before --from")
    db = database()
    total = count_for_export(db, start=start, end=end, include_superseded=include_superseded)
    with ExitStack() as stack:
        target: TextIO = (stack.enter_context(out.open("w", encoding="utf-8", newline=""))
                          if out else sys.stdout)
        bar = stack.enter_context(progress())
        task = bar.add_task("exporting", total=total)
        written = export_statements(db, target, start=start, end=end, fmt=fmt,
                                    include_superseded=include_superseded,
                                    progress=lambda n: bar.advance(task, n))
    console.print(f"exported {written} statement(s) from {start} to {end}"
                  + (f" to {out}" if out else ""))


@dsa_app.command("status")
def status(
    limit: Annotated[int, typer.Option(help="parked statements to list", min=0)] = 20,
) -> None:
    """Statements by state, and the parked ones with the Commission's reasons."""
    from integrity_desk.dsa.service import parked, status_counts

    with database().session() as session:
        counts = status_counts(session)
        waiting = parked(session, limit=limit)
    console.print(", ".join(f"{state} {n}" for state, n in counts.items()))
    if waiting:
        table = Table("puid", "case", "the Commission said", title="parked: fix with "
                      "`idesk dsa correct PUID --file …`")
        for p in waiting:
            table.add_row(p.puid, str(p.case_id), p.reason)
        console.print(table)


@dsa_app.command("show")
def show(puid: str) -> None:
    """Print a statement as stored and sent (JSON), e.g. to edit it for a correction."""
    from integrity_desk.dsa.service import get_statement

    try:
        with database().session() as session:
            row = get_statement(session, puid)
            statement, state, reason = row.statement, row.status, row.parked_reason
    except DeskError as exc:
        fail(exc)
    print(json.dumps(statement, indent=2, ensure_ascii=False))
    console.print(f"{puid}: {state}" + (f" — {reason}" if reason else ""))


@dsa_app.command("correct")
def correct(
    puid: str,
    file: Annotated[Path, typer.Option(help="the corrected statement (JSON)", exists=True)],
    reason: Annotated[str, typer.Option(help="why it is corrected (kept in the log)")],
    actor: Annotated[str, typer.Option(help="who corrects it")] = "cli",
) -> None:
    """Queue a corrected statement as the next version of PUID; the old one is superseded."""
    from integrity_desk.dsa.service import correct_statement

    try:
        statement = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        fail(f"{file} is not JSON: {exc}")
    if not isinstance(statement, dict):
        fail(f"{file} must hold one statement (a JSON object)")
    try:
        with database().session() as session:
            new = correct_statement(session, puid=puid, actor=actor, reason=reason,
                                    statement=statement)
            new_puid = new.puid
    except DeskError as exc:
        fail(exc)
    console.print(f"queued {new_puid}, superseding {puid}")


@dsa_app.command("report")
def report(
    year: Annotated[int, typer.Option(help="the calendar year reported on", min=2023,
                                      max=2100)],
    out: Annotated[Path | None, typer.Option(help="CSV file (default: standard output)")] = None,
) -> None:
    """The yearly transparency report's figures (DSA Art. 15 and 24(1)) as CSV."""
    from integrity_desk.dsa.transparency import report as figures
    from integrity_desk.dsa.transparency import write_csv

    with database().session() as session:
        rows = figures(session, year)
    if out is None:
        write_csv(rows, sys.stdout)
    else:
        with out.open("w", newline="", encoding="utf-8") as handle:
            write_csv(rows, handle)
        console.print(f"{len(rows)} figures for {year} written to {out}")
