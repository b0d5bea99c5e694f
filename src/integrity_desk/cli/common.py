"""What every command module shares: the database from the settings, how errors end, and
``lazy``: the desk's services are imported when a command runs, not when ``idesk`` starts, so
``idesk --help`` and a small command do not pay for SQLAlchemy, numpy or the fraud signals'
libraries they never use (tests/cli/test_cli_startup.py keeps it so)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING, NoReturn

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

from integrity_desk.errors import DeskError

if TYPE_CHECKING:
    from integrity_desk.db import Database

console = Console(stderr=True)


def lazy(name: str) -> ModuleType:
    """The desk's module ``name``, loaded on its first attribute access (importlib's
    LazyLoader). Only the desk's own modules: a third-party package made lazy breaks its own
    imports of itself (SQLAlchemy's did) — import those inside the command instead."""
    if not name.startswith("integrity_desk."):
        raise ValueError(f"{name}: only the desk's own modules are loaded lazily")
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module {name}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)  # as an import would: ``package.module``
    return module


def database() -> Database:
    """The desk's database, for a command; every command reaches it here, so this is where the
    CLI wires the process (webhook listener, SQLite's functions) before its first write."""
    from integrity_desk.db import Database
    from integrity_desk.settings import get_settings
    from integrity_desk.wiring import wire

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
