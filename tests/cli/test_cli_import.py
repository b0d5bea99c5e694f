"""`idesk import …` on files: CSV and gzip JSON lines, the bad-rows report, the exit status."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

from sqlalchemy import func, select

from integrity_desk.db import Database
from integrity_desk.subjects.models import Review
from tests.cli.conftest import Run


def test_import_reviews_from_csv_reports_bad_rows_and_runs_twice(run: Run, url: str,
                                                                 tmp_path: Path) -> None:
    assert run("migrate").exit_code == 0
    path = tmp_path / "reviews.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["ref", "business", "reviewer", "rating", "published_at", "text"])
        for i in range(50):
            writer.writerow([f"r{i}", "shop.example.com", f"u{i % 7}", 5, "2026-02-01", "ok"])
        writer.writerow(["r-bad", "shop.example.com", "u1", "nine", "2026-02-01", "ok"])
        writer.writerow(["r-short", "shop.example.com"])
    result = run("import", "reviews", str(path))
    assert result.exit_code == 1, result.output
    assert "52 row(s) read" in result.output
    assert "50 added" in result.output and "2 bad" in result.output
    report = list(csv.reader((tmp_path / "reviews.csv.bad.csv").open()))
    assert report == [["line", "field", "reason"], ["52", "rating", "must be a whole number"],
                      ["53", "line", "2 values where the header names 6"]]
    again = run("import", "reviews", str(path), "--bad-rows", str(tmp_path / "again.csv"))
    assert "0 added, 0 changed, 50 unchanged" in again.output
    database = Database(url)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == 50
    database.dispose()


def test_import_gzip_json_lines_exits_zero_and_leaves_no_report(run: Run, tmp_path: Path
                                                                ) -> None:
    assert run("migrate").exit_code == 0
    path = tmp_path / "businesses.jsonl.gz"
    with gzip.open(path, "wt") as f:
        for i in range(3):
            f.write(json.dumps({"domain": f"b{i}.example.com", "name": f"B {i}"}) + "\n")
    result = run("import", "businesses", str(path))
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output
    assert not (tmp_path / "businesses.jsonl.gz.bad.csv").exists()


def test_import_names_a_missing_file(run: Run, tmp_path: Path) -> None:
    result = run("import", "reviews", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2 and "file:" in result.output


def test_signals_run_finds_the_planted_campaign_and_then_has_nothing_due(
        run: Run, tmp_path: Path) -> None:
    from tests.signals.test_service import SHOP, _campaign

    assert run("migrate").exit_code == 0
    path = tmp_path / "campaign.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in _campaign()))
    assert run("import", "reviews", str(path)).exit_code == 0
    one = run("signals", "run", "--business", SHOP)
    assert one.exit_code == 0, one.output
    assert f"{SHOP}: " in one.output and "ring" in one.output and "case INV-" in one.output
    assert "1 case(s) opened" in one.output
    rest = run("signals", "run")  # the ring's three other businesses: the shop has just run
    assert rest.exit_code == 0 and "3 business(es)" in rest.output
    assert "0 business(es)" in run("signals", "run").output
    assert run("signals", "run", "--since", "yesterday").exit_code == 2
    unknown = run("signals", "run", "--business", "nowhere.example.com")
    assert unknown.exit_code == 2 and "business:" in unknown.output
