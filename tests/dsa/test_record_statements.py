"""record_statements, the bulk path of a decision on many items: the same statements, puids
and refusals as recording them one at a time, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from integrity_desk.db import Database
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.dsa.service import record_statement, record_statements
from integrity_desk.errors import Conflict, InvalidInput
from tests.dsa.support import facts, make_case


@pytest.fixture
def case_id(db: Database) -> int:
    return make_case(db)


def _bulk(db: Database, case_id: int, subjects: list[str], decision_id: int | None = 7,
          **over) -> list[tuple[int, str]]:
    with db.session() as session:
        rows = record_statements(session, items=[(s, facts(puid=None, **over)) for s in subjects],
                                 case_id=case_id, decision_id=decision_id)
        session.commit()
        return [(row.id, row.puid) for row in rows]


def test_many_items_get_the_puids_one_at_a_time_would_give(db, case_id):
    with db.session() as session:
        single = record_statement(session, facts=facts(puid=None), case_id=case_id,
                                  decision_id=7, subject="review:r0")
        session.commit()
        first = (single.id, single.puid)
    rows = _bulk(db, case_id, ["review:r0", "review:r1", " review:r2 ", "business:b.example"])
    # The one recorded before is returned as it is; the ordinals of the kind go on from it.
    assert rows[0] == first
    assert [p for _, p in rows] == ["idesk-7-review1-1", "idesk-7-review2-1",
                                    "idesk-7-review3-1", "idesk-7-business1-1"]
    with db.session() as session:
        assert session.get_one(DsaStatement, rows[1][0]).statement["puid"] == \
            "idesk-7-review2-1"
        assert session.scalar(select(func.count()).select_from(DsaStatement)) == 4
    # A retried decision records nothing new and returns the same rows.
    assert _bulk(db, case_id, ["review:r0", "review:r1", "review:r2", "business:b.example"]) \
        == rows


def test_different_facts_for_an_item_already_stated_are_a_conflict(db, case_id):
    _bulk(db, case_id, ["review:r1"])
    with pytest.raises(Conflict) as raised:
        _bulk(db, case_id, ["review:r2", "review:r1"], explanation="Something else entirely.")
    assert raised.value.field == "subject"


def test_one_invalid_statement_refuses_them_all(db, case_id):
    with pytest.raises(InvalidInput), db.session() as session:
        record_statements(session, items=[("review:r1", facts(puid=None)),
                                          ("review:r2", facts(puid=None, explanation=""))],
                          case_id=case_id, decision_id=7)
    with pytest.raises(InvalidInput) as raised:
        _bulk(db, case_id, ["review:r1", " "])
    assert raised.value.field == "subject"


def test_an_explicit_puid_named_for_two_items_is_refused_for_the_second(db, case_id):
    with db.session() as session, pytest.raises(Conflict) as raised:
        record_statements(session, items=[("review:r1", facts(puid="idesk-x-1")),
                                          ("review:r2", facts(puid="idesk-x-1"))],
                          case_id=case_id, decision_id=7)
    assert raised.value.field == "puid"


def test_statements_without_a_decision_are_numbered_by_the_case(db, case_id):
    rows = _bulk(db, case_id, ["review:r1", "reviewer:u1"], decision_id=None,
                 account="DECISION_ACCOUNT_SUSPENDED")
    assert [p for _, p in rows] == [f"idesk-c{case_id}-review1-1",
                                    f"idesk-c{case_id}-reviewer1-1"]
