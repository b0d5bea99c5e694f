"""``idesk webhooks``: subscriptions, dead letters and replay from the shell, and a reference
receiver to try a subscription against (registered from cli/main.py)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from integrity_desk.cli.common import console, database, fail, lazy
from integrity_desk.errors import DeskError

audit = lazy("integrity_desk.audit.service")
db_module = lazy("integrity_desk.db")
config = lazy("integrity_desk.settings")

webhooks_app = typer.Typer(help="Webhook subscriptions, dead letters and replay.",
                           no_args_is_help=True)


@webhooks_app.command("add")
def add(name: str, url: str,
        events: Annotated[str, typer.Option(help="comma-separated event types, e.g. "
                                                 "case.created,case.closed")]) -> None:
    """Subscribe URL to event types; prints the signing secret once."""
    from integrity_desk.webhooks import service

    try:
        with database().session() as session:
            made = service.create(session, name=name, url=url, active=True, user_id=None,
                                  event_types=[e.strip() for e in events.split(",")
                                               if e.strip()],
                                  actor=_cli(), now=db_module.utcnow(),
                                  settings=config.get_settings())
            sub_id = made.subscription.id
    except DeskError as exc:
        fail(exc)
    console.print(f"subscription #{sub_id}; its signing secret (shown once):")
    typer.echo(made.secret)


@webhooks_app.command("list")
def list_() -> None:
    """Subscriptions with their deliveries by status."""
    from integrity_desk.webhooks import service

    table = Table("id", "name", "url", "events", "active", "pending", "delivered", "dead")
    with database().session() as session:
        after = None
        while True:
            rows, after = service.listing(session, after=after, limit=200)
            for sub, counts in rows:
                table.add_row(str(sub.id), sub.name, sub.url, ", ".join(sub.event_types),
                              "yes" if sub.active else "no", str(counts["pending"]),
                              str(counts["delivered"]), str(counts["dead"]))
            if after is None:
                break
    console.print(table)


@webhooks_app.command("dead")
def dead(subscription: int,
         limit: Annotated[int, typer.Option(min=1, max=1000)] = 50) -> None:
    """A subscription's dead letters, newest first."""
    from integrity_desk.webhooks import service

    table = Table("delivery", "event", "type", "attempts", "last status", "last error",
                  "dead since")
    try:
        with database().session() as session:
            sub = service.get(session, subscription)
            rows, _ = service.deliveries(session, sub, status="dead", before=None,
                                         limit=limit)
            for d in rows:
                table.add_row(str(d.id), d.event_id, d.event_type, str(d.attempts),
                              str(d.last_status_code or "–"), (d.last_error or "")[:60],
                              f"{d.dead_at:%Y-%m-%d %H:%M}" if d.dead_at else "–")
    except DeskError as exc:
        fail(exc)
    console.print(table)


@webhooks_app.command("replay")
def replay(subscription: int,
           delivery: Annotated[list[int] | None, typer.Option(
               help="a dead letter to replay (repeat the option); all of them if left out")
           ] = None) -> None:
    """Send dead letters again (same event ids: receivers drop what they had)."""
    from integrity_desk.webhooks import service

    try:
        with database().session() as session:
            n = service.replay(session, service.get(session, subscription),
                               delivery_ids=delivery or None, actor=_cli(), now=db_module.utcnow())
    except DeskError as exc:
        fail(exc)
    console.print(f"replayed {n} dead letter(s); the worker sends them now")


@webhooks_app.command("receive")
def receive(secret: Annotated[str, typer.Option(help="the subscription's signing secret",
                                                envvar="IDESK_WEBHOOK_SECRET")],
            host: str = "127.0.0.1", port: int = 8900,
            store: Annotated[str | None, typer.Option(help="SQLite file of what arrived")
                             ] = None) -> None:
    """A reference receiver: checks signatures, drops repeats by event id."""
    from integrity_desk.webhooks.receiver import serve

    console.print(f"receiving on http://{host}:{port}/ (Ctrl-C stops)")
    serve(secret, host=host, port=port, store=store)


def _cli() -> object:
    """The actor these commands act as (built when a command runs: audit.service is lazy)."""
    return audit.Actor(None, "cli")
