"""The ``idesk`` command: run the desk, migrate, seed demo data, manage users, verify the log."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from integrity_desk.cli.accounts import add_account_commands
from integrity_desk.cli.common import console, database, fail, lazy, progress
from integrity_desk.cli.dsa import dsa_app
from integrity_desk.cli.evidence import evidence_app
from integrity_desk.cli.imports import import_app
from integrity_desk.cli.mail import mail_app
from integrity_desk.cli.people import person_app
from integrity_desk.cli.precedents import precedents_app
from integrity_desk.cli.privacy import audit_export, retention_app
from integrity_desk.cli.queues import queue_app
from integrity_desk.cli.report import report_app
from integrity_desk.cli.signals import signals_app
from integrity_desk.cli.simulate import routing_app
from integrity_desk.cli.staffing import staffing_app
from integrity_desk.cli.tokens import add_token_commands
from integrity_desk.cli.webhooks import webhooks_app
from integrity_desk.cli.workforce import team_app, vendor_app
from integrity_desk.errors import DeskError

config = lazy("integrity_desk.settings")
db_module = lazy("integrity_desk.db")

app = typer.Typer(help="Integrity Desk: escalations and investigations desk.",
                  no_args_is_help=True, add_completion=False)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention")
audit_app.command("export")(audit_export)
app.add_typer(dsa_app, name="dsa")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(mail_app, name="mail")
app.add_typer(team_app, name="team")
app.add_typer(vendor_app, name="vendor")
app.add_typer(person_app, name="person")
app.add_typer(queue_app, name="queue")
app.add_typer(report_app, name="report")
app.add_typer(import_app, name="import")
app.add_typer(signals_app, name="signals")
app.add_typer(evidence_app, name="evidence")
app.add_typer(precedents_app, name="precedents")
app.add_typer(staffing_app, name="staffing")
app.add_typer(routing_app, name="routing")




@app.command()
def migrate() -> None:
    """Create or upgrade the schema, then add default configuration where absent."""
    from integrity_desk.migrate import migrate as run

    db = database()
    run(db)
    console.print(f"schema is current on {db.engine.url.render_as_string(hide_password=True)}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="server processes")] = 1,
) -> None:
    """Serve the web console and the API."""
    import uvicorn

    uvicorn.run("integrity_desk.api.main:app", host=host, port=port, workers=workers,
                log_level="info", access_log=False,
                # Forwarded headers only from a proxy of ours (docs/access.md), as the app does.
                proxy_headers=config.get_settings().trust_proxy)


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="run the jobs due now, then exit")] = False,
) -> None:
    """Run the background worker (SLA sweeps, audit checkpoints, deliveries)."""
    from integrity_desk.jobs.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    w = Worker(database(), config.get_settings())
    if once:
        w.schedule_periodic(db_module.utcnow())
        ran = 0
        while w.run_once() is not None:
            ran += 1
        console.print(f"ran {ran} job(s)")
        return
    w.run_forever()


@app.command()
def demo(
    cases: Annotated[int, typer.Option(
        help="how many cases to open, exactly (requests that join an open case as linked "
             "requests come on top)", min=0)] = 400,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same data)")] = 7,
) -> None:
    """Seed a realistic, deterministic demo data set (migrates first)."""
    from integrity_desk.demo.seed import seed_demo
    from integrity_desk.migrate import migrate as run

    db = database()
    run(db)
    with progress() as bar:
        task = bar.add_task("seeding cases", total=cases)
        summary = seed_demo(db, cases=cases, seed=seed,
                            progress=lambda n: bar.advance(task, n))
    for line in summary:
        console.print(line)


@user_app.command("create")
def user_create(
    email: str,
    name: Annotated[str, typer.Option(help="full name")],
    role: Annotated[str, typer.Option(help="admin, manager, specialist, agent, legal, "
                                           "policy or viewer")],
    team: Annotated[str | None, typer.Option(help="team name")] = None,
    password: Annotated[str | None, typer.Option(help="login password (≥ 12 characters)",
                                                 envvar="IDESK_NEW_PASSWORD")] = None,
    languages: Annotated[str, typer.Option(help="comma-separated, e.g. en,de")] = "",
) -> None:
    """Create a user."""
    from integrity_desk.audit.service import SYSTEM
    from integrity_desk.people.service import create_user, get_team_by_name

    try:
        with database().session() as session:
            t = get_team_by_name(session, team) if team else None
            user = create_user(session, email=email, name=name, role=role, password=password,
                               team=t, languages=[x for x in languages.split(",") if x],
                               actor=SYSTEM)
            console.print(f"created {user.role} {user.email} (#{user.id})")
    except DeskError as exc:
        fail(exc)


@token_app.command("create")
def token_create(
    email: str,
    name: Annotated[str, typer.Option(help="what the token is for")] = "cli",
    scopes: Annotated[str, typer.Option(
        help="comma-separated, at least one of: read,write,admin")] = "read,write",
    days: Annotated[int, typer.Option(help="days until it expires", min=1)] = 90,
) -> None:
    """Create an API token and print it (shown once; only its hash is kept)."""
    from integrity_desk.audit.service import SYSTEM
    from integrity_desk.people.service import create_token, get_user_by_email

    try:
        with database().session() as session:
            user = get_user_by_email(session, email)
            # Blank items dropped: `--scopes ""` asks for no scope and is refused, not ['']
            wanted = [s.strip() for s in scopes.split(",") if s.strip()]
            issued = create_token(session, user=user, name=name, scopes=wanted,
                                  expires_in_days=days, actor=SYSTEM)
    except DeskError as exc:
        fail(exc)
    print(issued.secret)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute every hash chain; exit 1 naming the first bad event if any."""
    from sqlalchemy import func, select

    from integrity_desk.audit.models import AuditEvent
    from integrity_desk.audit.service import verify

    db = database()
    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        with progress() as bar:
            task = bar.add_task("verify", total=total)
            result = verify(session, secret=config.get_settings().secret_key,
                            progress=lambda n: bar.advance(task, n))
    if result.ok:
        console.print(f"[green]intact[/green]: {result.events} events in {result.chains} chains")
        return
    console.print(f"[red]TAMPERED[/red]: {result.problem}")
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the current chain heads now (the worker does this periodically)."""
    from integrity_desk.audit.service import checkpoint

    with database().session() as session:
        cp = checkpoint(session, secret=config.get_settings().secret_key)
    console.print(f"checkpoint #{cp.id} over {cp.chain_count} chains" if cp else
                  "nothing changed since the last checkpoint")


add_account_commands(user_app)
add_token_commands(token_app)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
