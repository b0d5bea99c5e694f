"""`idesk import reviews|businesses|reviewers|flags FILE`: the platform's data, in bulk.

FILE is CSV with a header or JSON lines, plain or gzip (docs/investigations.md#import names
the columns). Rows stream through in constant memory a batch per transaction; bad rows are
written, with their line number, field and reason, to the report (``--bad-rows``, default
FILE.bad.csv) while the good ones land; the exit status is 1 when any row was bad. Running the
same file again adds and changes nothing.
"""

from __future__ import annotations

import csv
import getpass
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from integrity_desk.cli.common import console, database, fail, lazy

audit = lazy("integrity_desk.audit.service")
rows = lazy("integrity_desk.reviewdata.rows")
review_import = lazy("integrity_desk.reviewdata.service")

import_app = typer.Typer(help="Import the platform's review data in bulk.",
                         no_args_is_help=True)


def _run(kind: str, path: Path, bad_rows: Path | None) -> None:
    if not path.is_file():
        fail(f"file: {path} is not a readable file")
    report_path = bad_rows or path.with_name(path.name + ".bad.csv")
    db = database()
    started = time.perf_counter()
    with report_path.open("w", newline="", encoding="utf-8") as report_file, Progress(
            SpinnerColumn(), TextColumn("{task.description}"),
            TextColumn("{task.completed:,.0f} rows · {task.fields[rate]:,.0f} rows/s · "
                       "{task.fields[bad]:,} bad"),
            TimeElapsedColumn(), console=console, transient=not console.is_terminal
    ) as bar:
        writer = csv.writer(report_file)
        writer.writerow(["line", "field", "reason"])
        task = bar.add_task(f"Importing {kind}", total=None, rate=0.0, bad=0)

        def on_bad(bad: rows.BadRow) -> None:
            writer.writerow([bad.line, bad.field, bad.reason])

        def on_batch(summary: review_import.Summary) -> None:
            elapsed = max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=summary.read, rate=summary.read / elapsed,
                       bad=summary.bad)

        try:
            summary = review_import.run_import(db, kind, rows.open_rows(path),
                                 actor=audit.Actor(None, f"cli:{getpass.getuser()}"),
                                 on_bad=on_bad, on_batch=on_batch)
        except UnicodeDecodeError as error:
            fail(f"file: not UTF-8 text ({error.reason} at byte {error.start} of a block); "
                 "the rows before it landed")
    elapsed = time.perf_counter() - started
    counts = summary.as_dict()
    extra = (f", {counts['cases_opened']:,} case(s) opened, {counts['flags_joined']:,} joined "
             "to open cases" if kind == "flags" else "")
    typer.echo(f"{kind}: {counts['read']:,} row(s) read in {elapsed:.1f} s "
               f"({counts['read'] / max(elapsed, 1e-9):,.0f}/s): {counts['added']:,} added, "
               f"{counts['changed']:,} changed, {counts['unchanged']:,} unchanged, "
               f"{counts['bad']:,} bad{extra}")
    if summary.bad:
        typer.echo(f"bad rows: {report_path}")
        raise typer.Exit(1)
    report_path.unlink(missing_ok=True)


def _command(kind: str) -> None:
    def command(
        file: Annotated[Path, typer.Argument(help="CSV with a header, or JSON lines; gzip "
                                                  "allowed")],
        bad_rows: Annotated[Path | None, typer.Option(
            "--bad-rows", help="where to write the bad rows (default: FILE.bad.csv)")] = None,
    ) -> None:
        _run(kind, file, bad_rows)

    command.__doc__ = f"Import {kind} from FILE (idempotent; bad rows reported)."
    import_app.command(kind)(command)


for _kind in rows.KINDS:
    _command(_kind)
