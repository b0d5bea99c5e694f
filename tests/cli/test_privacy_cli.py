"""`idesk retention run` and `idesk audit export` against a fresh SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from click.testing import Result
from pydantic import TypeAdapter
from sqlalchemy import select, update

from integrity_desk.audit import export
from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from tests import factories as f
from tests.cli.conftest import Run


@pytest.fixture
def db(run: Run, url: str) -> Iterator[Database]:  # SQLite files only
    assert run("migrate").exit_code == 0
    database = Database(url)
    yield database
    database.dispose()


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def _closed_cases(db: Database, n: int, *, days_ago: int) -> list[int]:
    ids = []
    with db.session() as s:
        intake = Intake(s, now=utcnow(), actor=SYSTEM)
        for i in range(n):
            body = f.flag(f"r{i}", reporter_type="consumer",
                          reporter={"name": "Cara Consumer", "email": "cara@mail.example.com"})
            ids.append(intake.submit(TypeAdapter(CaseIn).validate_python(body)).case.id)
        s.execute(update(Case).where(Case.id.in_(ids)).values(
            status="closed", is_open=False, closed_at=utcnow() - timedelta(days=days_ago)))
    return ids


def _contacts(db: Database) -> list[str | None]:
    with db.session() as s:
        return list(s.scalars(select(Case.requester_contact).order_by(Case.id)))


def test_retention_dry_run_counts_and_changes_nothing(run, db):
    _closed_cases(db, 3, days_ago=400)
    out = _ok(run("retention", "run", "--dry-run"))
    assert "3 case(s) closed before" in out and "0 held" in out
    assert _contacts(db) == ["cara@mail.example.com"] * 3


def test_retention_run_erases_in_batches_after_the_configured_period(run, db, monkeypatch):
    _closed_cases(db, 3, days_ago=400)
    _closed_cases(db, 1, days_ago=20)
    monkeypatch.setenv("IDESK_RETENTION_DAYS", "30")
    out = " ".join(_ok(run("retention", "run", "--batch", "2")).split())
    assert "erased the personal data of 3 case(s)" in out
    assert _contacts(db) == [None, None, None, "cara@mail.example.com"]
    monkeypatch.setenv("IDESK_RETENTION_DAYS", "10")
    assert "of 1 case(s)" in " ".join(_ok(run("retention", "run")).split())
    assert "of 0 case(s)" in " ".join(_ok(run("retention", "run")).split())


def test_audit_export_writes_verifiable_lines_and_is_itself_recorded(run, db, tmp_path):
    _closed_cases(db, 2, days_ago=1)
    today = utcnow().date().isoformat()
    out_file = tmp_path / "audit.jsonl"
    out = " ".join(_ok(run("audit", "export", "--from", today, "--to", today,
                           "--out", str(out_file))).split())
    lines = [json.loads(x) for x in out_file.read_text().splitlines()]
    assert f"exported {len(lines)} event(s)" in out and len(lines) == 2
    assert all(export.verify_line(line) for line in lines)
    with db.session() as s:
        recorded = s.scalars(select(AuditEvent).where(AuditEvent.kind == "audit.exported")).one()
        assert recorded.chain_key == "audit" and recorded.actor_label.startswith("cli:")
        assert json.loads(recorded.payload)["events"] == 2
    streamed = run("audit", "export", "--from", today, "--to", today)
    assert streamed.exit_code == 0
    kinds = [json.loads(x)["kind"] for x in streamed.stdout.splitlines() if x.startswith("{")]
    assert kinds == ["case.created", "case.created", "audit.exported"]


def test_audit_export_names_a_bad_option(run, db):
    bad = run("audit", "export", "--from", "yesterday", "--to", "2026-01-01")
    assert bad.exit_code == 2 and "--from" in bad.output
    backwards = run("audit", "export", "--from", "2026-02-01", "--to", "2026-01-01")
    assert backwards.exit_code == 2 and "--to" in backwards.output
