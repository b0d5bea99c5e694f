"""BulkInsert: the same rows, conflicts and RETURNING whether it sends VALUES or COPY."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select

from integrity_desk.bulk import COPY_MIN_ROWS, BulkInsert
from integrity_desk.db import utcnow
from integrity_desk.subjects.models import Business
from integrity_desk.triage.models import TriageRule

_BUSINESSES = BulkInsert(Business.__table__, ["domain", "name", "plan_tier", "review_count",
                                              "created_at"],
                         conflict=["domain"], returning=["id", "domain"])
_RULES = BulkInsert(TriageRule.__table__, ["name", "factor", "params", "active", "position"])


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The COPY statements psycopg was asked to run."""
    seen: list[str] = []
    original = psycopg.Cursor.copy

    def spy(self: Any, statement: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(statement))
        return original(self, statement, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "copy", spy)
    return seen


def _businesses(names: list[str]) -> list[dict[str, Any]]:
    return [dict(domain=n, name=n.upper(), plan_tier="free", review_count=len(n),
                 created_at=utcnow()) for n in names]


@pytest.mark.parametrize("rows", [3, COPY_MIN_ROWS + 10])
def test_skips_conflicts_and_returns_what_went_in(db, copies, rows):
    names = [f"b{i}.example.com" for i in range(rows)]
    with db.session() as s:
        _BUSINESSES.execute(s, _businesses(names[::2]))
    with db.session() as s:
        # Twice in one transaction: the staging table is empty again after each use.
        got = _BUSINESSES.execute(s, _businesses(names))
        again = _BUSINESSES.execute(s, _businesses([*names, "late.example.com"]))
    assert sorted(d for _, d in got) == sorted(names[1::2])
    assert [d for _, d in again] == ["late.example.com"]
    with db.session() as s:
        stored = {b.domain: b for b in s.scalars(select(Business))}
    assert len(stored) == rows + 1
    assert {d: i for i, d in got} == {d: stored[d].id for d in names[1::2]}
    assert stored[names[1]].name == names[1].upper()
    assert stored[names[1]].created_at.tzinfo is not None
    expect_copy = db.dialect == "postgresql" and rows >= COPY_MIN_ROWS
    assert bool(copies) == expect_copy


def test_plain_rows_go_straight_in_with_json_and_booleans(db, copies):
    rows = [dict(name=f"r{i}", factor="kind", params={"points": {"flag": i}, "note": "ü"},
                 active=i % 2 == 0, position=1000 + i) for i in range(COPY_MIN_ROWS)]
    with db.session() as s:
        before = s.scalar(select(func.count()).select_from(TriageRule))
        assert _RULES.execute(s, rows) == []
    with db.session() as s:
        stored = {r.name: r for r in s.scalars(select(TriageRule).where(
            TriageRule.position >= 1000))}
        assert s.scalar(select(func.count()).select_from(TriageRule)) == before + len(rows)
    assert stored["r7"].params == {"points": {"flag": 7}, "note": "ü"}
    assert (stored["r7"].active, stored["r8"].active) == (False, True)
    if db.dialect == "postgresql":
        assert copies == [
            "COPY triage_rules (name, factor, params, active, position) FROM STDIN"]
