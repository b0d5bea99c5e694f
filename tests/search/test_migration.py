"""0010_search goes down and up again on both databases, and fills the index from the rows
that were there before it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, inspect, text

from integrity_desk.audit.service import SYSTEM, record
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.migrate import alembic_config, migrate
from integrity_desk.people.models import User
from integrity_desk.search import models, service
from tests.conftest import CHECKOUT, PG_ADMIN_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path, worker_id: str) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'm.db'}")
        yield db
        db.dispose()
        return
    name = f"idesk_test_{CHECKOUT}_{worker_id}_search"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
    yield db
    db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _search_objects(conn: object, dialect: str) -> set[str]:
    inspector = inspect(conn)
    if dialect == "sqlite":
        return {t for t in inspector.get_table_names()
                if t in (models.CASES_FTS, models.COMMENTS_FTS)}
    columns = {c["name"] for c in inspector.get_columns("cases")}
    indexes = {i["name"] for t in ("cases", "audit_events") for i in inspector.get_indexes(t)}
    return ({models.CASES_DOC} & columns) | (
        {models.CASES_DOC_INDEX, models.COMMENTS_DOC_INDEX} & indexes)


def test_down_and_up_again_with_a_backfill(fresh: Database) -> None:
    migrate(fresh)
    config = alembic_config(fresh.url)
    with fresh.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")
        assert _search_objects(conn, fresh.dialect) == set()
    with fresh.session() as session:
        # A Core insert of the columns 0009 has (the model has columns of later revisions).
        case_id = session.execute(insert(Case.__table__).values(
            kind="investigation", channel="internal", title="Narwhal ring", description="",
            status="new", tier=2, priority=2, requester_type="internal")
            .returning(Case.__table__.c.id)).scalar_one()
        record(session, kind="comment", category="comment", actor=SYSTEM, case_id=case_id,
               at=utcnow(), payload={"body": "a quokka was seen"})
    with fresh.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        assert len(_search_objects(conn, fresh.dialect)) == (
            2 if fresh.dialect == "sqlite" else 3)
    with fresh.session() as session:
        admin = User(email="a@desk.example.com", name="A", role="admin")
        session.add(admin)
    with fresh.session() as session:
        user = session.get(User, admin.id)
        assert [h.matched for h in service.search(session, user, "narwhal").hits] == ["text"]
        assert [h.matched for h in service.search(session, user, "quokka").hits] == ["comment"]
