"""`idesk user reset-password | deactivate | reactivate`: an administrator's account commands.

Run on the server by whoever holds its database URL, so they act as the system and are audited
as such.
"""

from __future__ import annotations

from typing import Annotated

import typer

from integrity_desk.cli.common import console, database, fail, lazy
from integrity_desk.errors import DeskError

audit = lazy("integrity_desk.audit.service")
service = lazy("integrity_desk.people.service")


def reset_password(
    email: str,
    password: Annotated[str, typer.Option(
        help="the new password (≥ 12 characters, not common, not the e-mail); asked for "
             "when not given", envvar="IDESK_NEW_PASSWORD", prompt="New password",
        hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a new password for a person and end all of their browser sessions."""
    try:
        with database().session() as session:
            user = service.get_user_by_email(session, email)
            ended = service.reset_password(session, user=user, password=password,
                                           actor=audit.SYSTEM)
    except DeskError as exc:
        fail(exc)
    console.print(f"password of {user.email} reset; {ended} session(s) ended")


def deactivate(email: str) -> None:
    """Stop a person from signing in or using tokens; their history and assignments stay."""
    try:
        with database().session() as session:
            user = service.get_user_by_email(session, email)
            ended = service.deactivate_user(session, user=user, actor=audit.SYSTEM)
    except DeskError as exc:
        fail(exc)
    console.print(f"{user.email} deactivated; {ended} session(s) ended")


def reactivate(email: str) -> None:
    """Let a deactivated person sign in again."""
    try:
        with database().session() as session:
            user = service.get_user_by_email(session, email)
            service.reactivate_user(session, user=user, actor=audit.SYSTEM)
    except DeskError as exc:
        fail(exc)
    console.print(f"{user.email} reactivated")


def add_account_commands(user_app: typer.Typer) -> None:
    user_app.command("reset-password")(reset_password)
    user_app.command("deactivate")(deactivate)
    user_app.command("reactivate")(reactivate)
