"""`idesk dsa …` against the local Transparency Database, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from integrity_desk.cli.main import app
from integrity_desk.db import Database, utcnow
from integrity_desk.dsa import schema as s
from integrity_desk.settings import get_settings
from tests.dsa.support import make_case
from tests.dsa.test_submission import queue

Run = Callable[..., Result]


@pytest.fixture
def run(db: Database, tdb, tdb_url, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    monkeypatch.setenv("IDESK_DATABASE_URL", db.url)
    monkeypatch.setenv("IDESK_DSA_API_URL", tdb_url)
    monkeypatch.setenv("IDESK_DSA_API_TOKEN", tdb.token)
    monkeypatch.setenv("IDESK_DSA_MAX_RETRIES", "1")
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        get_settings.cache_clear()
        try:
            return runner.invoke(app, ["dsa", *args], env=env)
        finally:
            get_settings.cache_clear()

    yield invoke
    get_settings.cache_clear()


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_submit_status_show_and_correct(run, db, tdb, tmp_path: Path):
    case_id = make_case(db)
    queue(db, case_id, 130)
    bad = queue(db, case_id, 1, start=500, category="STATEMENT_CATEGORY_FAKE")[0]
    out = _flat(_ok(run("submit", "--limit", "200")))
    assert "submitted 130, already there 0, parked 1, still queued 0" in out
    assert len(tdb.stored) == 130
    status = _flat(_ok(run("status")))
    assert "queued 0, submitted 130, parked 1, superseded 0" in status
    assert bad in status and "The selected category is invalid." in status
    shown = run("show", bad)
    assert shown.exit_code == 0
    statement = json.loads(shown.stdout)
    assert statement["category"] == "STATEMENT_CATEGORY_FAKE"
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(dict(statement, category="STATEMENT_CATEGORY_SCAMS_AND_FRAUD")))
    assert f"queued {bad}-2, superseding {bad}" in _flat(_ok(run(
        "correct", bad, "--file", str(fixed), "--reason", "wrong category", "--actor", "ops")))
    assert "submitted 1" in _ok(run("submit"))
    assert tdb.stored[f"{bad}-2"]["category"] == "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"


def test_a_correction_that_is_still_wrong_names_the_field(run, db, tmp_path: Path):
    puid = queue(db, make_case(db), 1)[0]
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"puid": puid, "content_date": "yesterday"}))
    result = run("correct", puid, "--file", str(wrong), "--reason", "x")
    assert result.exit_code == 2
    assert _flat(result.output).startswith("error: decision_visibility: at least one of")


def test_submit_stops_and_reports_a_refused_token(run, db):
    queue(db, make_case(db), 2)
    result = run("submit", env={"IDESK_DSA_API_TOKEN": "wrong"})
    assert result.exit_code == 1
    assert "IDESK_DSA_API_TOKEN" in _flat(result.output) and "still queued 2" in result.output


def test_submit_needs_the_api_configured(run):
    result = run("submit", env={"IDESK_DSA_API_URL": ""})
    assert result.exit_code == 2 and "IDESK_DSA_API_URL" in result.output


def test_submit_rides_out_a_server_error(run, db, tdb):
    queue(db, make_case(db), 3)
    tdb.fail_next(503)
    assert "submitted 3" in _ok(run("submit"))
    assert [status for _, _, _, status in tdb.calls] == [503, 201]


def test_export_jsonl_to_stdout_and_csv_to_a_file(run, db, tmp_path: Path):
    puids = queue(db, make_case(db), 7)
    today = utcnow().date()
    window = ["--from", (today - timedelta(days=1)).isoformat(), "--to", today.isoformat()]
    result = run("export", *window)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert sorted(json.loads(line)["puid"] for line in lines) == puids
    target = tmp_path / "out.csv"
    assert "exported 7 statement(s)" in _ok(run("export", *window, "--format", "csv",
                                                "--out", str(target)))
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert rows[0] == list(s.FIELD_ORDER) and len(rows) == 8
    assert "exported 0" in _ok(run("export", "--from", "2020-01-01", "--to", "2020-01-31"))


def test_export_refuses_bad_arguments(run):
    assert run("export", "--from", "2026-11-02", "--to", "2026-11-01").exit_code == 2
    assert run("export", "--from", "2026-11-01", "--to", "2026-11-02",
               "--format", "xml").exit_code == 2
    assert run("export", "--from", "01.11.2026", "--to", "2026-11-02").exit_code == 2


def test_report_writes_the_years_figures_as_csv(run, db, tmp_path: Path):
    make_case(db)
    out = tmp_path / "report-2026.csv"
    assert "figures for 2026 written" in _flat(_ok(run("report", "--year", "2026",
                                                       "--out", str(out))))
    lines = out.read_text().splitlines()
    assert lines[0] == "section,metric,breakdown,value"
    assert "disputes,submitted,,0" in lines
    assert "suspensions,imposed,bucket=unfounded_notices,0" in lines
    assert run("report", "--year", "1999").exit_code != 0  # not a year the DSA applied to
