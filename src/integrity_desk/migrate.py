"""Bring a database to the newest schema (Alembic) and add missing default configuration."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from integrity_desk.bootstrap import ensure_defaults
from integrity_desk.db import Database
from integrity_desk.wiring import wire

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(db: Database) -> None:
    """Upgrade to head, then add the default configuration. Wired before the first connection
    opens: SQLite's functions are given to a connection as it opens, and the migrations' data
    steps fire the full-text triggers that call one."""
    wire()
    with db.engine.begin() as connection:
        config = alembic_config(db.url)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with db.session() as session:
        ensure_defaults(session)
