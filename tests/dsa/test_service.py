"""record_statement and corrections on both databases: validated, idempotent, never edited."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, update
from sqlalchemy.exc import IntegrityError

from integrity_desk.db import Database
from integrity_desk.dsa import schema as s
from integrity_desk.dsa.models import DsaStatement, DsaSubmissionLog
from integrity_desk.dsa.service import (
    correct_statement,
    get_statement,
    parked,
    record_statement,
    status_counts,
)
from integrity_desk.errors import Conflict, InvalidInput, NotFound
from integrity_desk.migrate import alembic_config, migrate
from tests.dsa.support import facts, make_case


@pytest.fixture
def case_id(db: Database) -> int:
    return make_case(db)


def _record(db: Database, case_id: int, subject: str = "review:r1", decision_id: int | None = 7,
            **over):
    with db.session() as session:
        row = record_statement(session, facts=facts(puid=None, **over), case_id=case_id,
                               decision_id=decision_id, subject=subject)
        return row.puid, row.status, row.statement


def test_a_statement_is_built_validated_and_queued(db, case_id):
    puid, status, statement = _record(db, case_id)
    assert (puid, status) == ("idesk-7-review1-1", "queued")
    assert statement["puid"] == puid and "jane@example.com" not in statement["decision_facts"]
    with db.session() as session:
        row = get_statement(session, puid)
        assert (row.case_id, row.decision_id, row.subject_ref, row.version) == (
            case_id, 7, "review:r1", 1)
        assert status_counts(session) == {"queued": 1, "submitted": 0, "parked": 0,
                                          "superseded": 0}


def test_each_affected_item_of_a_decision_gets_its_own_stable_puid(db, case_id):
    review = _record(db, case_id, "review:r1")[0]
    account = _record(db, case_id, "reviewer:u1", account="DECISION_ACCOUNT_SUSPENDED")[0]
    second = _record(db, case_id, "review:r2")[0]
    assert (review, account, second) == ("idesk-7-review1-1", "idesk-7-reviewer1-1",
                                         "idesk-7-review2-1")
    # Recording again (a retried decision) returns the same statement, not a second one.
    assert _record(db, case_id, "review:r2")[0] == second
    without_decision = _record(db, case_id, "review:r1", decision_id=None)[0]
    assert without_decision == f"idesk-c{case_id}-review1-1"
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(DsaStatement)) == 4


def test_recording_different_facts_for_the_same_item_is_a_conflict(db, case_id):
    _record(db, case_id)
    with pytest.raises(Conflict) as raised:
        _record(db, case_id, explanation="Something else entirely.")
    assert raised.value.field == "subject"


def test_an_invalid_statement_is_refused_naming_the_field(db, case_id):
    with pytest.raises(InvalidInput) as raised:
        _record(db, case_id, ground="   ")
    assert raised.value.field == "ground"
    assert raised.value.extra["statement_field"] == "incompatible_content_ground"
    with pytest.raises(InvalidInput) as raised:
        _record(db, case_id, visibility=[], category="NOPE")
    assert {e["field"] for e in raised.value.extra["errors"]} == {"decision_visibility",
                                                                  "category"}
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(DsaStatement)) == 0


def test_an_explicit_puid_is_used_and_never_reused(db, case_id):
    with db.session() as session:
        row = record_statement(session, facts=facts(puid="legacy-0001"), case_id=case_id,
                               decision_id=1, subject="review:r1")
        assert row.puid == "legacy-0001"
    with pytest.raises(Conflict), db.session() as session:
        record_statement(session, facts=facts(puid="legacy-0001"), case_id=case_id,
                         decision_id=2, subject="review:r1")


def test_the_database_keeps_puids_unique(db, case_id):
    _record(db, case_id)
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(DsaStatement(puid="idesk-7-review1-1", case_id=case_id, decision_id=8,
                                 subject_ref="review:r9", statement={}, status="queued"))
        session.flush()


def test_a_correction_is_a_new_version_superseding_the_old_one(db, case_id):
    puid, _, sent = _record(db, case_id)
    with db.session() as session:
        session.execute(update(DsaStatement).where(DsaStatement.puid == puid)
                        .values(status="submitted", tdb_uuid="u-1"))
    with db.session() as session:
        new = correct_statement(session, puid=puid, actor="lead@desk.example.com",
                                reason="automated detection was inverted",
                                facts=facts(automated_detection=True))
        assert (new.puid, new.version, new.status) == ("idesk-7-review1-2", 2, "queued")
        assert new.statement["automated_detection"] == "Yes"
    with db.session() as session:
        old = get_statement(session, puid)
        assert old.status == "superseded" and old.statement == sent  # what was sent stays
        new = get_statement(session, "idesk-7-review1-2")
        assert new.supersedes_id == old.id
        [entry] = session.scalars(select(DsaSubmissionLog)).all()
        assert (entry.action, entry.puids, entry.actor) == (
            "correct", [puid, new.puid], "lead@desk.example.com")
        assert entry.detail["reason"] == "automated detection was inverted"
        assert entry.detail["tdb_uuid"] == "u-1"
    # Only the newest version may be corrected; a retry of the original facts is not a conflict.
    with pytest.raises(Conflict), db.session() as session:
        correct_statement(session, puid=puid, actor="x", reason="again",
                          facts=facts(automated_detection=True))
    assert _record(db, case_id)[0] == "idesk-7-review1-2"


def test_a_parked_statement_is_fixed_by_a_corrected_wire_statement(db, case_id):
    puid, _, sent = _record(db, case_id)
    with db.session() as session:
        session.execute(update(DsaStatement).where(DsaStatement.puid == puid)
                        .values(status="parked", parked_reason="statement_0.category: bad"))
        assert [p.puid for p in parked(session)] == [puid]
    fixed = dict(sent, category="STATEMENT_CATEGORY_CONSUMER_INFORMATION")
    with db.session() as session:
        new = correct_statement(session, puid=puid, actor="ops", reason="category",
                                statement=fixed)
        assert new.statement["category"] == "STATEMENT_CATEGORY_CONSUMER_INFORMATION"
        assert parked(session) == []
    with pytest.raises(InvalidInput) as raised, db.session() as session:
        correct_statement(session, puid=new.puid, actor="ops", reason="oops",
                          statement=dict(fixed, content_date="yesterday"))
    assert raised.value.field == "content_date"
    with pytest.raises(NotFound), db.session() as session:
        correct_statement(session, puid="nope", actor="ops", reason="x", facts=facts())
    with pytest.raises(InvalidInput), db.session() as session:
        correct_statement(session, puid=new.puid, actor="ops", reason=" ", facts=facts())


def test_the_migration_goes_down_and_up_again(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        migrate(db)
        with db.engine.begin() as conn:
            config = alembic_config(db.url)
            config.attributes["connection"] = conn
            command.downgrade(config, "0003")
            assert "dsa_statements" not in inspect(conn).get_table_names()
            command.upgrade(config, "head")
            assert {"dsa_statements", "dsa_submission_log"} <= set(
                inspect(conn).get_table_names())
    finally:
        db.dispose()


def test_the_wire_format_survives_the_json_column(db, case_id):
    _, _, statement = _record(db, case_id, territorial_scope="EU", keywords=[s.KEYWORD_OTHER],
                              keyword_other="Other")
    with db.session() as session:
        assert get_statement(session, "idesk-7-review1-1").statement == statement


def test_control_characters_never_reach_the_json_column(db, case_id):
    """PostgreSQL's JSON refuses NUL: built statements drop control characters, and a hand-made
    correction holding one is refused naming the field, not failed by the database."""
    _, _, statement = _record(db, case_id, facts="bad\x00byte,\x07 bell\ttab\nline")
    assert statement["decision_facts"] == "badbyte, bell tab line"
    with pytest.raises(InvalidInput) as raised, db.session() as session:
        correct_statement(session, puid="idesk-7-review1-1", actor="ops", reason="x",
                          statement=dict(statement, decision_facts="nul\x00"))
    assert (raised.value.field, raised.value.extra["errors"][0]["rule"]) == (
        "decision_facts", "control_character")
