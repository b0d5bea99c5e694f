"""`idesk token list | revoke`: see a person's API tokens (never their secrets) and revoke one."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table

from integrity_desk.cli.common import console, database, fail, lazy
from integrity_desk.errors import DeskError

audit = lazy("integrity_desk.audit.service")
service = lazy("integrity_desk.people.service")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "–"


def list_tokens(email: str) -> None:
    """List a person's tokens: id, name, prefix, scopes, created, expires, last used, state."""
    try:
        with database().session() as session:
            user = service.get_user_by_email(session, email)
            tokens = service.list_tokens(session, user.id)
            table = Table("id", "name", "prefix", "scopes", "created", "expires", "last used",
                          "state", title=f"API tokens of {user.email} (UTC)")
            for t in tokens:
                table.add_row(str(t.id), t.name, t.prefix + "…", ",".join(t.scopes),
                              _when(t.created_at), _when(t.expires_at),
                              _when(t.last_used_at), service.token_state(t))
    except DeskError as exc:
        fail(exc)
    Console(width=200).print(table)  # the listing is the output: stdout, never wrapped


def revoke(token_id: int) -> None:
    """Revoke a token by its id (from `idesk token list`)."""
    try:
        with database().session() as session:
            token = service.revoke_token(session, token_id=token_id, owner_id=None,
                                         actor=audit.SYSTEM)
            owner = token.user.email
    except DeskError as exc:
        fail(exc)
    console.print(f"token #{token_id} of {owner} revoked")


def add_token_commands(token_app: typer.Typer) -> None:
    token_app.command("list")(list_tokens)
    token_app.command("revoke")(revoke)
