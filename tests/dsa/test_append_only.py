"""The submission log is append-only in the database itself (migration 0024), on both
databases: INSERT works, UPDATE, DELETE (and TRUNCATE on PostgreSQL) are refused, the
downgrade lifts the refusal, and no code of the desk tries to change a logged row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from integrity_desk.db import Database
from integrity_desk.dsa.models import DsaSubmissionLog
from integrity_desk.migrate import alembic_config

SRC = Path(__file__).resolve().parents[2] / "src" / "integrity_desk"


def _log_one(db: Database) -> int:
    with db.session() as session:
        entry = DsaSubmissionLog(action="submit", puids=["p1"], http_status=201, actor="t")
        session.add(entry)
        session.commit()
        return entry.id


def _refused(db: Database, statement: object) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db.session() as session:
        session.execute(statement)  # type: ignore[call-overload]
        session.commit()


def _count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(DsaSubmissionLog)) or 0


def test_insert_works_update_and_delete_are_refused(db):
    row = _log_one(db)
    _log_one(db)
    _refused(db, update(DsaSubmissionLog).where(DsaSubmissionLog.id == row)
             .values(http_status=500))
    _refused(db, text("UPDATE dsa_submission_log SET actor = 'someone else'"))
    _refused(db, delete(DsaSubmissionLog).where(DsaSubmissionLog.id == row))
    _refused(db, text("DELETE FROM dsa_submission_log"))
    with db.session() as session:
        assert session.scalars(select(DsaSubmissionLog.http_status)).all() == [201, 201]
        assert set(session.scalars(select(DsaSubmissionLog.actor))) == {"t"}


def test_the_orm_cannot_change_a_logged_row_either(db):
    row = _log_one(db)
    with pytest.raises(DBAPIError, match="append-only"), db.session() as session:
        entry = session.get(DsaSubmissionLog, row)
        assert entry is not None
        entry.response_excerpt = "rewritten"
        session.commit()
    with pytest.raises(DBAPIError, match="append-only"), db.session() as session:
        session.delete(session.get(DsaSubmissionLog, row))
        session.commit()
    assert _count(db) == 1


def test_truncate_is_refused_on_postgresql(db):
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _log_one(db)
    _refused(db, text("TRUNCATE dsa_submission_log"))
    assert _count(db) == 1


def test_the_downgrade_lifts_the_refusal_and_the_upgrade_restores_it(db):
    row = _log_one(db)
    config = alembic_config(db.url)
    try:
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0023")
        with db.session() as session:
            session.execute(update(DsaSubmissionLog).values(http_status=500))
            session.commit()
            assert session.get(DsaSubmissionLog, row).http_status == 500  # type: ignore[union-attr]
    finally:
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    _refused(db, text("UPDATE dsa_submission_log SET http_status = 201"))


def test_no_code_of_the_desk_updates_or_deletes_the_log():
    """Beside the triggers: nothing in the source even tries (the submitter's own test watches
    the SQL it sends; this covers every other module)."""
    changes = re.compile(r"(?:update|delete)\(\s*DsaSubmissionLog|"
                         r"(?:UPDATE|DELETE\s+FROM|TRUNCATE)\s+dsa_submission_log", re.IGNORECASE)
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if "migrations" not in p.parts and changes.search(p.read_text())]
    assert offenders == []
