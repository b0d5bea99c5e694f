"""0029 classifies what the desk already holds: an upgrading desk hides its harmful reviews and
cases at once, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import insert, select

from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.db import Database
from integrity_desk.migrate import alembic_config, migrate
from integrity_desk.subjects.models import Review


def test_the_upgrade_classifies_existing_reviews_and_cases(blank_db: Database) -> None:
    migrate(blank_db)
    config = alembic_config(blank_db.url)
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0028")
    cases, reviews = Case.__table__, Review.__table__
    with blank_db.session() as s:  # Core inserts of 0028's columns
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
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with blank_db.session() as s:
        assert {r: h for r, h in s.execute(select(Review.ref, Review.harm))} == {
            "r1": "threat", "r2": None}
        got = {i: (h, t) for i, h, t in s.execute(select(Case.id, Case.harm, Case.text_harm))}
        assert got == {about: ("threat", None), own: ("hate", "hate")}
