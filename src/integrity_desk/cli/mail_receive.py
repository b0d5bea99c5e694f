"""``idesk mail`` commands for mail the desk receives."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``idesk mail``."""
