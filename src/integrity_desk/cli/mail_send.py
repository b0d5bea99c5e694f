"""``idesk mail`` commands for mail the desk sends: deliver the outbox now, list its dead
letters, replay them. An operator's commands on the server: they see every case's messages
(addresses masked all the same), and a replay is recorded on each case's timeline as "cli"."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from integrity_desk.cli.common import console, database, fail, lazy
from integrity_desk.errors import DeskError

audit = lazy("integrity_desk.audit.service")
db_module = lazy("integrity_desk.db")
config = lazy("integrity_desk.settings")



def deliver(budget: Annotated[float | None, typer.Option(
        min=0.1, help="seconds to keep delivering (default: IDESK_MAIL_RUN_SECONDS)")
        ] = None) -> None:
    """Deliver the due messages of the outbox now, through IDESK_SMTP_URL."""
    from integrity_desk.messages.delivery import deliver_due
    from integrity_desk.messages.mime import parse_relay

    settings = config.get_settings()
    if not settings.email_on:
        fail("IDESK_SMTP_URL: no relay is configured, so e-mail is off: messages wait in "
             "the outbox, queued")
    try:
        relay = parse_relay(settings.smtp_url)
        console.print(f"delivering through [bold]{relay.describe()}[/bold] …")
        t0 = time.perf_counter()
        with database().session() as session:
            totals = deliver_due(session, settings=settings, budget=budget)
        took = time.perf_counter() - t0
    except DeskError as exc:
        fail(exc)
    table = Table("sent", "to retry", "dead", "not tried (back in the queue)", "seconds")
    table.add_row(f"[green]{totals['sent']}[/green]", f"[yellow]{totals['retry']}[/yellow]",
                  f"[red]{totals['dead']}[/red]" if totals["dead"] else "0",
                  str(totals["released"]), f"{took:.2f}")
    console.print(table)
    if totals["dead"]:
        console.print("dead letters: [bold]idesk mail dead[/bold]; send again with "
                      "[bold]idesk mail replay[/bold]")


def dead(limit: Annotated[int, typer.Option(min=1, max=1000)] = 50) -> None:
    """The outbox's dead letters, newest first."""
    from integrity_desk.messages import outbound
    from integrity_desk.privacy.domain import mask_contact, mask_text

    table = Table("message", "case", "kind", "to", "attempts", "code", "last answer",
                  "dead since")
    with database().session() as session:
        rows, _ = outbound.listing(session, _anyone(), status="dead", before=None, limit=limit)
        for m, case in rows:
            table.add_row(str(m.id), case.key, m.kind, mask_contact(m.recipient) or "–",
                          str(m.attempts), str(m.last_code or "–"),
                          mask_text(m.last_error or "")[:70],
                          f"{m.dead_at:%Y-%m-%d %H:%M}" if m.dead_at else "–")
    if not rows:
        console.print("no dead letters")
        return
    console.print(table)


def replay(message: Annotated[list[int] | None, typer.Argument(
               help="the dead letters to send again (their ids)")] = None,
           all_dead: Annotated[bool, typer.Option(
               "--all-dead", help="every dead letter instead")] = False) -> None:
    """Send dead letters again (the same Message-ID: receivers drop what they had)."""
    from integrity_desk.messages import outbound

    if bool(message) == all_dead:
        fail("name the dead letters to replay, or give --all-dead (not both)")
    try:
        with database().session() as session:
            n = outbound.replay(session, _anyone(), message_ids=None if all_dead else message,
                                actor=audit.Actor(None, "cli"), now=db_module.utcnow())
    except DeskError as exc:
        fail(exc)
    console.print(f"replayed {n} dead letter(s); the worker sends them with its next run")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``idesk mail``."""
    app.command("deliver")(deliver)
    app.command("dead")(dead)
    app.command("replay")(replay)


def _anyone() -> object:
    """SQL true: these commands run as the system, which sees every message."""
    from sqlalchemy import true

    return true()
