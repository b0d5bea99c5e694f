"""`idesk report weekly`: writes the week's page and CSV bundle and keeps the report."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any


def _summary(bundle: bytes) -> list[list[str]]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        return list(csv.reader(io.StringIO(archive.read("2026-W13/summary.csv").decode())))


def test_idesk_report_weekly_writes_the_files(run: Any, tmp_path: Path) -> None:
    assert run("migrate").exit_code == 0
    out = tmp_path / "out"
    result = run("report", "weekly", "--week", "2026-W13", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "weekly-2026-W13.html").read_text().count("Weekly report 2026-W13") == 1
    assert _summary((out / "weekly-2026-W13.zip").read_bytes())[1][0] == "2026-W13"
    refused = run("report", "weekly", "--week", "2026-13", "--out", str(out))
    assert refused.exit_code == 2 and "week" in refused.output
