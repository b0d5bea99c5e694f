"""Export by date window in keyset pages: every statement once, in order, in flat memory."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from integrity_desk.db import Database
from integrity_desk.dsa import schema as s
from integrity_desk.dsa.export import count_for_export, export_statements, pages
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.dsa.statement import build_statement
from tests.dsa.support import facts, make_case

DAY = date(2026, 11, 20)


def load(db: Database, case_id: int, per_day: dict[date, int], *, status: str = "submitted",
         same_instant: bool = False, prefix: str = "x") -> list[str]:
    """Statements created on the given days (all at one instant per day if asked: ties)."""
    template = build_statement(facts(territorial_scope=["DE", "AT"]))
    rows: list[dict[str, Any]] = []
    for day, count in sorted(per_day.items()):
        base = datetime(day.year, day.month, day.day, tzinfo=UTC)
        for n in range(count):
            puid = f"{prefix}-{day:%m%d}-{n:06d}"
            rows.append(dict(puid=puid, case_id=case_id, subject_ref=f"review:{puid}",
                             version=1, status=status, statement={**template, "puid": puid},
                             created_at=base + (timedelta() if same_instant else
                                                timedelta(seconds=n * 86_399 // count))))
    with db.session() as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(DsaStatement), rows[start:start + 5000])
    return [r["puid"] for r in rows]


@pytest.fixture
def case_id(db: Database) -> int:
    return make_case(db)


def _jsonl(db: Database, start: date, end: date, **kwargs: Any) -> list[dict[str, Any]]:
    out = io.StringIO()
    written = export_statements(db, out, start=start, end=end, **kwargs)
    lines = out.getvalue().splitlines()
    assert written == len(lines)
    return [json.loads(line) for line in lines]


def test_jsonl_holds_the_window_in_order_with_both_days_included(db, case_id):
    days = {DAY - timedelta(days=1): 3, DAY: 4, DAY + timedelta(days=1): 5,
            DAY + timedelta(days=2): 6}
    puids = load(db, case_id, days)
    got = _jsonl(db, DAY, DAY + timedelta(days=1), page_size=2)
    assert [g["puid"] for g in got] == puids[3:12]
    assert got[0] == {**build_statement(facts(territorial_scope=["DE", "AT"])),
                      "puid": puids[3]}
    assert count_for_export(db, start=DAY, end=DAY + timedelta(days=1)) == 9
    assert _jsonl(db, DAY + timedelta(days=5), DAY + timedelta(days=9)) == []


def test_paging_through_ties_loses_and_repeats_nothing(db, case_id):
    puids = load(db, case_id, {DAY: 23}, same_instant=True)
    for size in (1, 5, 23, 100):
        assert sorted(g["puid"] for g in _jsonl(db, DAY, DAY, page_size=size)) == sorted(puids)


def test_superseded_versions_only_on_request(db, case_id):
    load(db, case_id, {DAY: 2})
    load(db, case_id, {DAY: 3}, status="superseded", prefix="old")
    assert len(_jsonl(db, DAY, DAY)) == 2
    assert len(_jsonl(db, DAY, DAY, include_superseded=True)) == 5


def test_csv_has_one_column_per_schema_field(db, case_id):
    load(db, case_id, {DAY: 3})
    out = io.StringIO()
    assert export_statements(db, out, start=DAY, end=DAY, fmt="csv", page_size=2) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(s.FIELD_ORDER)
    assert rows[0]["territorial_scope"] == "AT;DE"
    assert rows[0]["decision_visibility"] == "DECISION_VISIBILITY_CONTENT_REMOVED"
    assert rows[0]["automated_detection"] == "No" and rows[0]["decision_monetary"] == ""
    assert rows[0]["decision_facts"].startswith("A business reported")


def test_bad_arguments(db):
    with pytest.raises(ValueError):
        export_statements(db, io.StringIO(), start=DAY, end=DAY, fmt="xml")
    with pytest.raises(ValueError):
        list(pages(db, start=DAY, end=DAY - timedelta(days=1)))


class Sink(io.TextIOBase):
    """Counts what is written and keeps none of it."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_memory_stays_flat_as_the_export_grows(db, case_id, fmt):
    load(db, case_id, {DAY: 500, DAY + timedelta(days=1): 7500})
    peaks = []
    for end in (DAY, DAY + timedelta(days=1)):
        tracemalloc.start()
        written = export_statements(db, Sink(), start=DAY, end=end, fmt=fmt, page_size=250)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert written in (500, 8000)
    # Sixteen times the statements, not sixteen times the memory (a page is the bound).
    assert peaks[1] < peaks[0] * 2, peaks
