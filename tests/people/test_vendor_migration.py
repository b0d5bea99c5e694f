"""0030_teams_and_vendors goes down and up again on both databases: free-text vendor names
become vendors (one per distinct name) and come back as names."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from integrity_desk.db import Database
from integrity_desk.migrate import alembic_config, migrate


def test_vendor_names_become_vendors_and_back(blank_db: Database) -> None:
    migrate(blank_db)
    config = alembic_config(blank_db.url)
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0029")
        conn.execute(text(
            "INSERT INTO teams (name, kind, vendor_name, created_at) VALUES "
            "('North A', 'vendor', 'Northwind', CURRENT_TIMESTAMP), "
            "('North B', 'vendor', 'Northwind', CURRENT_TIMESTAMP), "
            "('Atlas', 'vendor', 'Atlas', CURRENT_TIMESTAMP), "
            "('Desk', 'internal', NULL, CURRENT_TIMESTAMP)"))
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        rows = conn.execute(text(
            "SELECT t.name, v.name FROM teams t LEFT JOIN vendors v ON v.id = t.vendor_id "
            "ORDER BY t.name")).all()
        assert [tuple(r) for r in rows] == [("Atlas", "Atlas"), ("Desk", None),
                                            ("North A", "Northwind"), ("North B", "Northwind")]
        assert conn.scalar(text("SELECT count(*) FROM vendors")) == 2
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0029")
        rows = conn.execute(text("SELECT name, vendor_name FROM teams ORDER BY name")).all()
        assert [tuple(r) for r in rows] == [("Atlas", "Atlas"), ("Desk", None),
                                            ("North A", "Northwind"), ("North B", "Northwind")]
        command.upgrade(config, "head")
