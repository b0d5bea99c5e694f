"""0029 classifies what the desk already holds: an upgrading desk hides its harmful reviews and
cases at once, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, select, text

from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.db import Database
from integrity_desk.migrate import alembic_config, migrate
from integrity_desk.subjects.models import Review
from tests.conftest import CHECKOUT, PG_ADMIN_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path, worker_id: str) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'm.db'}")
        yield db
        db.dispose()
        return
    name = f"idesk_test_{CHECKOUT}_{worker_id}_harm"
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


def test_the_upgrade_classifies_existing_reviews_and_cases(fresh: Database) -> None:
    migrate(fresh)
    config = alembic_config(fresh.url)
    with fresh.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0028")
    cases, reviews = Case.__table__, Review.__table__
    with fresh.session() as s:  # Core inserts of 0028's columns
        threat = s.execute(insert(reviews).values(ref="r1", text="I will kill you, Marco.")
                           .returning(reviews.c.id)).scalar_one()
        s.execute(insert(reviews).values(ref="r2", text="Lovely staff."))
        about = s.execute(insert(cases).values(
            kind="flag", channel="api", title="Flag on r1", status="triaged", tier=1,
            priority=3, requester_type="business").returning(cases.c.id)).scalar_one()
        s.execute(insert(CaseSubject.__table__).values(case_id=about, subject_type="review",
                                                       subject_id=threat, role="primary"))
        own = s.execute(insert(cases).values(
            kind="investigation", channel="internal", title="Heil Hitler ring", status="new",
            tier=2, priority=2, requester_type="internal").returning(cases.c.id)).scalar_one()
    with fresh.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with fresh.session() as s:
        assert {r: h for r, h in s.execute(select(Review.ref, Review.harm))} == {
            "r1": "threat", "r2": None}
        got = {i: (h, t) for i, h, t in s.execute(select(Case.id, Case.harm, Case.text_harm))}
        assert got == {about: ("threat", None), own: ("hate", "hate")}
