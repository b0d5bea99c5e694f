"""`idesk evidence export CASE` and `idesk evidence verify BUNDLE`: the bundle written, its
hash on the case's timeline, a good bundle verifying and a changed one failing (exit 1)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from pydantic import TypeAdapter
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database, utcnow
from integrity_desk.evidence.service import capture_case
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.wiring import wire
from tests import factories
from tests.cli.conftest import Run


def _started_case(url: str) -> str:
    wire()
    database = Database(url)
    with database.session() as s:
        case = Intake(s, now=utcnow(), actor=SYSTEM).submit(
            TypeAdapter(CaseIn).validate_python(factories.investigation())).case
        key = case.key
        assert capture_case(s, case.id, actor=SYSTEM, now=utcnow()) == 3
    database.dispose()
    return key


def test_export_writes_a_bundle_that_verifies_and_a_changed_one_does_not(
        run: Run, url: str, tmp_path: Path) -> None:
    assert run("migrate").exit_code == 0
    key = _started_case(url)
    out = tmp_path / "bundle.zip"
    result = run("evidence", "export", key, "--out", str(out))
    assert result.exit_code == 0, result.output
    sha = result.output.strip().splitlines()[-1].removeprefix("sha256 ")
    database = Database(url)
    with database.session() as s:
        recorded = [json.loads(p)["sha256"] for p in s.scalars(select(AuditEvent.payload).where(
            AuditEvent.kind == "evidence.exported"))]
    database.dispose()
    assert recorded == [sha]
    good = run("evidence", "verify", str(out))
    assert good.exit_code == 0, good.output
    assert "the bundle verifies" in good.output and "recorded" in good.output
    archive = zipfile.ZipFile(out)
    changed = io.BytesIO()
    with zipfile.ZipFile(changed, "w") as target:
        for name in archive.namelist():
            data = archive.read(name)
            target.writestr(name, data + b" " if name == "case.json" else data)
    forged = tmp_path / "forged.zip"
    forged.write_bytes(changed.getvalue())
    bad = run("evidence", "verify", str(forged))
    assert bad.exit_code == 1 and "does not verify" in bad.output
    assert "case.json does not match" in bad.output
    # Offline, only the bundle is read; the desk's record is not asked.
    assert run("evidence", "verify", "--offline", str(out)).exit_code == 0


def test_export_names_an_unknown_case_and_verify_a_missing_file(run: Run,
                                                                tmp_path: Path) -> None:
    assert run("migrate").exit_code == 0
    result = run("evidence", "export", "INV-424242", "--out", str(tmp_path / "x.zip"))
    assert result.exit_code == 2 and "key:" in result.output
    assert not (tmp_path / "x.zip").exists()
    result = run("evidence", "verify", str(tmp_path / "nope.zip"))
    assert result.exit_code == 2 and "bundle:" in result.output
