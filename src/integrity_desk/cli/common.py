"""What every command module shares: the database from the settings, and how errors end."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from integrity_desk.db import Database
from integrity_desk.errors import DeskError
from integrity_desk.settings import get_settings
from integrity_desk.wiring import wire

console = Console(stderr=True)


def database() -> Database:
    """The desk's database, for a command; every command reaches it here, so this is where the
    CLI wires the process (webhook listener, SQLite's functions) before its first write."""
    wire()
    settings = get_settings()
    return Database(settings.database_url, pool_size=settings.db_pool_size)


def fail(error: DeskError | str, code: int = 2) -> NoReturn:
    """Print the error (naming the field at fault) and exit with status 2 (or ``code``)."""
    if isinstance(error, DeskError):
        error = f"{error.field}: {error.message}" if error.field else error.message
    console.print(f"[red]error:[/red] {error}")
    raise typer.Exit(code)


def progress() -> Progress:
    """The progress bar of long work, on stderr (transient when not on a terminal)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                    transient=not console.is_terminal)
