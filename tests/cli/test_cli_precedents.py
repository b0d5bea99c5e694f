"""`idesk precedents rebuild`: the demo's decided cases written again, as the hook wrote them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select

from integrity_desk.db import Database
from integrity_desk.decisions.models import Decision
from integrity_desk.precedents.models import Precedent, PrecedentKey
from tests.cli.conftest import Run


@pytest.fixture
def db(url: str) -> Iterator[Database]:  # shadows the two-backend fixture: SQLite files only
    database = Database(url)
    yield database
    database.dispose()


def test_rebuild_writes_every_decided_case(run: Run, db: Database) -> None:
    result = run("demo", "--cases", "40")
    assert result.exit_code == 0, result.output
    with db.session() as s:
        decided = s.scalar(select(func.count(func.distinct(Decision.case_id)))
                           .where(Decision.kind == "decision",
                                  Decision.status.in_(("applied", "reversed"))))
        written = sorted(s.execute(select(Precedent.case_id, Precedent.outcome,
                                          Precedent.terms)).all())
        s.execute(delete(PrecedentKey))
        s.execute(delete(Precedent))
    assert decided and len(written) == decided
    result = run("precedents", "rebuild", "--batch", "7")
    assert result.exit_code == 0, result.output
    assert f"{decided:,} precedents written" in result.output
    with db.session() as s:
        assert sorted(s.execute(select(Precedent.case_id, Precedent.outcome,
                                       Precedent.terms)).all()) == written
