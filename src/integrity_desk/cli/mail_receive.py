"""``idesk mail`` commands for mail the desk receives: its own SMTP server and mailbox polling."""

from __future__ import annotations

from typing import Annotated

import typer

from integrity_desk.cli.common import console, database, fail, lazy

config = lazy("integrity_desk.settings")


def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="port to listen on (25 behind an MX; see "
                                                 "docs/operations.md)")] = 2525) -> None:
    """Receive mail by SMTP: letters to the routed addresses become cases, replies join theirs."""
    from integrity_desk.mail.service import MailPolicy
    from integrity_desk.mail.smtp import serve as run

    settings = config.get_settings()
    try:
        policy = MailPolicy.from_settings(settings)
    except ValueError as exc:
        fail(str(exc))
    db = database()
    routes = ", ".join([*policy.routes.by_local, *policy.routes.by_address])

    def ready(_: object) -> None:
        # Flushed at once: a supervisor (or a test) waits for this line.
        console.print(f"listening on {host}:{port} for {routes} (max "
                      f"{policy.max_bytes} bytes)")
        console.file.flush()

    run(db, policy, host=host, port=port, ready=ready)


def poll(url: Annotated[str, typer.Option(help="imaps://user:pass@host[:port]/MAILBOX (or "
                                               "imap:// without TLS)")],
         kind: Annotated[str | None, typer.Option(help="the case kind of every message in a "
                                                       "mailbox of one kind (else the To "
                                                       "address routes)")] = None,
         interval: Annotated[float, typer.Option(help="seconds between polls")] = 30.0,
         once: Annotated[bool, typer.Option(help="poll once and exit")] = False) -> None:
    """Take mail from a mailbox elsewhere: as the SMTP server does, idempotent by Message-ID."""
    from integrity_desk.errors import DeskError
    from integrity_desk.mail.imap import MailboxUrl, poll_forever, poll_once
    from integrity_desk.mail.service import MailPolicy

    settings = config.get_settings()
    try:
        policy = MailPolicy.from_settings(settings)
        mailbox = MailboxUrl.parse(url)
        if kind is not None and kind not in policy.routes.by_local.values() | \
                policy.routes.by_address.values():
            raise DeskError(f"{kind!r} is no routed case kind", field="--kind")
    except DeskError as exc:
        fail(exc)
    except ValueError as exc:
        fail(str(exc))
    db = database()
    if once:
        counts = poll_once(db, policy, mailbox, kind=kind)
        console.print(", ".join(f"{k}: {v}" for k, v in counts.items()) or "nothing new")
        return
    poll_forever(db, policy, mailbox, kind=kind, interval=interval,
                 report=lambda c: console.print(", ".join(f"{k}: {v}" for k, v in c.items())))


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``idesk mail``."""
    app.command("serve")(serve)
    app.command("poll")(poll)
