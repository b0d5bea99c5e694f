"""`idesk staffing plan`: the summary per vendor and queue, the what-if, the CSV, and a bad
what-if refused naming its field (exit 2)."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.routing.models import Queue
from tests.cli.conftest import Run


def _history(url: str) -> None:
    database = Database(url)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    with database.session() as s:
        queue_id = s.scalar(select(Queue.id).where(Queue.slug == "flags"))
        s.execute(insert(Case), [dict(
            kind="flag", channel="api", title="A flag", status="closed", is_open=False, tier=1,
            priority=2, requester_type="user", created_at=now - timedelta(hours=h),
            updated_at=now, queue_id=queue_id) for h in range(1, 24 * 21) if h % 24 < 12])
    database.dispose()


def test_plan_prints_each_queue_and_writes_every_hour(run: Run, url: str,
                                                      tmp_path: Path) -> None:
    assert run("migrate").exit_code == 0
    _history(url)
    out = tmp_path / "plan.csv"
    result = run("staffing", "plan", "--weeks", "1", "--what-if", "volume=+20%",
                 "--csv", str(out))
    assert result.exit_code == 0, result.output
    assert "Staffing plan" in result.output and "volume +20 %" in result.output
    assert "Flags (tier 1)" in result.output
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0][0] == "hour_utc"
    flags = [r for r in rows[1:] if r[3] == "flags"]
    assert len(flags) == 168
    assert sum(float(r[4]) for r in flags) > 0


def test_a_bad_what_if_names_its_field(run: Run) -> None:
    assert run("migrate").exit_code == 0
    result = run("staffing", "plan", "--what-if", "volume=lots")
    assert result.exit_code == 2
    assert "what_if" in result.output and "lots" in result.output


def test_the_command_reports_per_queue_and_vendor(run: Run, url: str, tmp_path: Path) -> None:
    assert run("migrate").exit_code == 0
    _history(url)
    out = tmp_path / "backlog.csv"
    today = utcnow().date()
    result = run("routing", "simulate", "--from", (today - timedelta(days=7)).isoformat(),
                 "--to", today.isoformat(), "--backlog-csv", str(out))
    assert result.exit_code == 0, result.output
    assert "Per vendor" in result.output and "first response (sim)" in result.output
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0][0] == "hour_utc" and len(rows) == 1 + 7 * 24
    bad = run("routing", "simulate", "--from", "someday", "--to", today.isoformat())
    assert bad.exit_code == 2 and "--from" in bad.output
