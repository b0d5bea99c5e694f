"""``idesk mail``: the outbox's delivery and dead letters (cli/mail_send.py), and mail coming
in by the desk's own SMTP server or from a mailbox (cli/mail_receive.py)."""

from __future__ import annotations

import typer

from integrity_desk.cli import mail_receive, mail_send

mail_app = typer.Typer(help="E-mail in and out: delivery, dead letters, the SMTP server, "
                            "mailbox polling.", no_args_is_help=True)
mail_send.register(mail_app)
mail_receive.register(mail_app)
