"""0010_search goes down and up again on both databases, and fills the index from the rows
that were there before it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import insert, inspect

from integrity_desk.audit.service import SYSTEM, record
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.migrate import alembic_config, migrate
from integrity_desk.people.models import User
from integrity_desk.search import models, service


def _search_objects(conn: object, dialect: str) -> set[str]:
    inspector = inspect(conn)
    if dialect == "sqlite":
        return {t for t in inspector.get_table_names()
                if t in (models.CASES_FTS, models.COMMENTS_FTS)}
    columns = {c["name"] for c in inspector.get_columns("cases")}
    indexes = {i["name"] for t in ("cases", "audit_events") for i in inspector.get_indexes(t)}
    return ({models.CASES_DOC} & columns) | (
        {models.CASES_DOC_INDEX, models.COMMENTS_DOC_INDEX} & indexes)


def test_down_and_up_again_with_a_backfill(blank_db: Database) -> None:
    migrate(blank_db)
    config = alembic_config(blank_db.url)
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")
        assert _search_objects(conn, blank_db.dialect) == set()
    with blank_db.session() as session:
        # A Core insert of the columns 0009 has (the model has columns of later revisions).
        case_id = session.execute(insert(Case.__table__).values(
            kind="investigation", channel="internal", title="Narwhal ring", description="",
            status="new", tier=2, priority=2, requester_type="internal")
            .returning(Case.__table__.c.id)).scalar_one()
        record(session, kind="comment", category="comment", actor=SYSTEM, case_id=case_id,
               at=utcnow(), payload={"body": "a quokka was seen"})
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        assert len(_search_objects(conn, blank_db.dialect)) == (
            2 if blank_db.dialect == "sqlite" else 3)
    with blank_db.session() as session:
        admin = User(email="a@desk.example.com", name="A", role="admin")
        session.add(admin)
    with blank_db.session() as session:
        user = session.get(User, admin.id)
        assert [h.matched for h in service.search(session, user, "narwhal").hits] == ["text"]
        assert [h.matched for h in service.search(session, user, "quokka").hits] == ["comment"]
