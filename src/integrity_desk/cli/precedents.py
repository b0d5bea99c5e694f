"""`idesk precedents rebuild`: write the precedents of every decided case, in batches.

Decisions applied since the precedents slice write their precedent themselves; this fills the
table for those decided before it (once, after upgrading), and may be run again at any time:
each case's row and keys are rewritten, one transaction a batch.
"""

from __future__ import annotations

from typing import Annotated

import typer

from integrity_desk.cli.common import console, database, lazy, progress

decision_models = lazy("integrity_desk.decisions.models")
service = lazy("integrity_desk.precedents.service")

precedents_app = typer.Typer(help="Precedents: decided cases like an open one.",
                             no_args_is_help=True)


@precedents_app.command("rebuild")
def rebuild(batch: Annotated[int, typer.Option(min=1, max=5000,
                                               help="cases per transaction")] = 500) -> None:
    """Rewrite the precedent of every decided case."""
    db = database()
    with db.session() as session:
        from sqlalchemy import func, select

        decision = decision_models.Decision
        total = session.scalar(select(func.count(func.distinct(decision.case_id)))
                               .where(decision.kind == "decision")) or 0
    done, after = 0, 0
    with progress() as bar:
        task = bar.add_task("Writing precedents", total=total)
        while True:
            with db.session() as session:
                after, count = service.rebuild(session, after=after, batch=batch)
            if not count:
                break
            done += count
            bar.advance(task, count)
    console.print(f"{done:,} precedents written")
