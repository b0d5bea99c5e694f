"""`idesk signals run [--business DOMAIN] [--since DATE] [--all]`: the fraud signals, now.

Without options: the businesses whose reviews changed since their last run (what the nightly
job does). Each business runs in its own transaction with a progress bar; the last line counts
what was found and the cases opened or enriched.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer

from integrity_desk.cli.common import console, database, fail, lazy, progress
from integrity_desk.errors import DeskError

db_module = lazy("integrity_desk.db")
config = lazy("integrity_desk.settings")
service = lazy("integrity_desk.signals.service")

signals_app = typer.Typer(help="Fraud signals over the review data (docs/investigations.md).",
                          no_args_is_help=True)


@signals_app.command("run")
def run(
    business: Annotated[str | None, typer.Option(
        help="one business, by its domain")] = None,
    since: Annotated[str | None, typer.Option(
        help="businesses whose reviews changed on or after this day (YYYY-MM-DD)")] = None,
    every: Annotated[bool, typer.Option("--all", help="every business with reviews")] = False,
) -> None:
    """Run the signals, store what they find, open or enrich investigation cases."""
    try:
        start = datetime.combine(date.fromisoformat(since), datetime.min.time(), UTC) \
            if since else None
    except ValueError:
        fail("since: must be a day as YYYY-MM-DD")
    db = database()
    now = db_module.utcnow()
    try:
        with db.session() as session:
            ids = [service.business_id_of(session, business)] if business else service.due(
                session, since=start, every=every)
    except DeskError as error:
        fail(error)
    totals = {"findings": 0, "opened": 0, "enriched": 0}
    with progress() as bar:
        task = bar.add_task("Running the signals", total=len(ids))

        def each(done: service.BusinessRun) -> None:
            totals["findings"] += done.findings
            if done.case:
                totals["opened" if done.opened else "enriched"] += 1
            if business:
                kinds = ", ".join(f"{n} {k}" for k, n in sorted(done.by_kind.items()))
                console.print(f"{done.business}: {done.reviews:,} reviews, "
                              f"{kinds or 'nothing found'}"
                              + (f"; case {done.case}" if done.case else ""))
            bar.advance(task)

        service.run_many(db, ids, now=now, actor=service.ACTOR,
                         open_at=config.get_settings().signal_open_threshold, on_each=each)
    typer.echo(f"{len(ids):,} business(es): {totals['findings']:,} finding(s), "
               f"{totals['opened']} case(s) opened, {totals['enriched']} enriched")
