"""The audit export: a period's events as lines an auditor can re-verify on their own."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from pydantic import TypeAdapter

from integrity_desk.audit import export
from integrity_desk.audit.service import SYSTEM, record
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from tests import factories as f


def _events(db: Database) -> None:
    """Three cases (intake, comments) today, and one event long ago."""
    now = utcnow()
    with db.session() as s:
        intake = Intake(s, now=now, actor=SYSTEM)
        for ref in ("r1", "r2", "r3"):
            case = intake.submit(TypeAdapter(CaseIn).validate_python(f.flag(ref))).case
            record(s, kind="comment", category="comment", actor=SYSTEM, case_id=case.id,
                   at=now, payload={"body": f"note on {ref}"})
        record(s, kind="queue.created", category="audit", actor=SYSTEM, chain_key="config",
               at=now - timedelta(days=40), payload={"slug": "old"})


def _export(db: Database, size: int = 1000, **period: Any) -> list[dict[str, Any]]:
    now = utcnow()
    start = period.get("start", now - timedelta(days=1))
    end = period.get("end", now + timedelta(days=1))
    with db.session() as s:
        return [line for page in export.pages(s, start=start, end=end, size=size)
                for line in page]


def test_export_holds_the_period_in_time_order_and_every_line_verifies(db):
    _events(db)
    lines = _export(db)
    assert len(lines) == 6
    with db.session() as s:
        now = utcnow()
        assert export.count(s, start=now - timedelta(days=1), end=now + timedelta(days=1)) == 6
    assert "queue.created" not in [line["kind"] for line in lines]
    assert [(line["occurred_at"], line["id"]) for line in lines] == sorted(
        (line["occurred_at"], line["id"]) for line in lines)
    assert all(export.verify_line(line) for line in lines)
    assert {line["case"] for line in lines} == {"FLG-1", "FLG-2", "FLG-3"}
    # Chain positions let an auditor check each event follows the one before it.
    by_chain: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_chain.setdefault(line["chain"], []).append(line)
    for chain in by_chain.values():
        assert [line["seq"] for line in chain] == [1, 2]
        assert chain[1]["prev_hash"] == chain[0]["hash"]
    assert json.loads(lines[1]["payload"]) in ({"body": "note on r1"}, {"body": "note on r2"},
                                               {"body": "note on r3"})


def test_pages_are_keyset_pages_that_lose_and_repeat_nothing(db):
    _events(db)
    assert [line["id"] for line in _export(db, size=2)] == [line["id"] for line in _export(db)]
    long_ago = _export(db, start=utcnow() - timedelta(days=41), end=utcnow() - timedelta(days=39))
    assert [line["kind"] for line in long_ago] == ["queue.created"]


def test_an_edited_line_no_longer_verifies(db):
    _events(db)
    line = _export(db)[3]
    assert export.verify_line(line)
    for field, value in (("payload", '{"body":"edited"}'), ("actor", "someone else"),
                         ("seq", line["seq"] + 1), ("occurred_at", "2020-01-01T00:00:00+00:00")):
        assert not export.verify_line({**line, field: value}), field
