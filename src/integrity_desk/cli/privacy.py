"""``idesk retention run`` and ``idesk audit export``: erasure on schedule, the log for auditors.

Registered from cli/main.py; each batch or page is its own short transaction, so neither
command holds a lock (or memory) for the length of a long run.
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, TextIO

import typer

from integrity_desk.cli.common import console, database, lazy, progress

db_module = lazy("integrity_desk.db")
config = lazy("integrity_desk.settings")

retention_app = typer.Typer(help="Erase personal data of cases closed past the retention "
                                 "period.", no_args_is_help=True)




@retention_app.command("run")
def retention_run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="count, change nothing")] = False,
    batch: Annotated[int | None, typer.Option(help="cases per transaction", min=1,
                                              max=5000)] = None,
) -> None:
    """Erase requester personal data of closed cases past IDESK_RETENTION_DAYS (held ones kept)."""
    from integrity_desk.privacy.retention import cutoff, due_counts, erase_batch

    settings = config.get_settings()
    db, now, days = database(), db_module.utcnow(), settings.retention_days
    with db.session() as session:
        counts = due_counts(session, now=now, retention_days=days)
    before = cutoff(now, days).date().isoformat()
    if dry_run:
        console.print(f"{counts['due']} case(s) closed before {before} would be erased; "
                      f"{counts['held']} held case(s) would be kept")
        return
    erased = requests = 0
    after = None
    with progress() as bar:
        task = bar.add_task("erasing", total=counts["due"])
        while True:
            with db.session() as session:  # one transaction per batch
                result = erase_batch(session, now=now, retention_days=days,
                                     batch=batch or settings.retention_batch, after=after)
            erased, requests, after = erased + result.cases, requests + result.requests, (
                result.after)
            bar.advance(task, result.cases)
            if result.done:
                break
    console.print(f"erased the personal data of {erased} case(s) and {requests} linked "
                  f"request(s) closed before {before}; {counts['held']} held case(s) kept")


def _moment(value: str, option: str, *, end: bool) -> datetime:
    """A date (whole day, UTC; an end date counts in full) or an ISO time (naive = UTC)."""
    try:
        if len(value) == 10:
            day = datetime.fromisoformat(value).replace(tzinfo=UTC)
            return day + timedelta(days=1) if end else day
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise typer.BadParameter("give a date (2026-01-31) or an ISO time",
                                 param_hint=option) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def audit_export(
    start: Annotated[str, typer.Option("--from", help="first day (or time) of the period")],
    end: Annotated[str, typer.Option("--to", help="last day of the period, included (or an "
                                                  "end time, excluded)")],
    out: Annotated[Path | None, typer.Option("--out", help="file to write (default: "
                                                           "standard output)")] = None,
) -> None:
    """Write the audit log of a period as JSON lines, each with its hash and chain position."""
    from integrity_desk.audit import export
    from integrity_desk.audit.service import Actor, record

    begin, finish = _moment(start, "--from", end=False), _moment(end, "--to", end=True)
    if finish <= begin:
        raise typer.BadParameter("the period ends before it begins", param_hint="--to")
    db = database()
    with db.session() as session:
        total = export.count(session, start=begin, end=finish)
    written = 0
    target: TextIO = out.open("w", encoding="utf-8") if out else sys.stdout
    session = db.session_factory()
    try:
        with progress() as bar:
            task = bar.add_task("exporting", total=total)
            for page in export.pages(session, start=begin, end=finish):
                session.rollback()  # a read per page: no transaction spans the export
                target.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in page)
                written += len(page)
                bar.advance(task, len(page))
    finally:
        session.close()
        if out:
            target.close()
    with db.session() as session:  # the export is itself on the record
        record(session, kind="audit.exported", category="audit", chain_key="audit",
               actor=Actor(None, f"cli:{getpass.getuser()}"),
               payload={"from": begin.isoformat(), "to": finish.isoformat(), "events": written,
                        "to_file": str(out) if out else None})
    console.print(f"exported {written} event(s) from {begin.isoformat()} to "
                  f"{finish.isoformat()}" + (f" into {out}" if out else ""))
