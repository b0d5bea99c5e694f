"""`idesk team …` and `idesk vendor …` on a migrated SQLite file: each command one transaction,
each refusal naming its field with exit status 2."""

from __future__ import annotations

import pytest
from rich.console import Console
from sqlalchemy import select

from integrity_desk.cli import workforce
from integrity_desk.db import Database
from integrity_desk.people.models import Team, VendorContract
from tests.cli.conftest import Run


@pytest.fixture
def run(run: Run, monkeypatch: pytest.MonkeyPatch) -> Run:
    """The shared runner on a migrated database, with a console wide enough that no cell
    wraps, whatever terminal (or none) the tests run under."""
    monkeypatch.setattr(workforce, "out", Console(width=240))
    assert run("migrate").exit_code == 0
    return run


def test_teams_and_vendors_from_the_command_line(run: Run, url: str) -> None:
    made = run("vendor", "create", "Northwind", "--languages", "en,es", "--time-zone",
               "America/Chicago", "--coverage", '{"mon": [["08:00", "20:00"]]}')
    assert made.exit_code == 0, made.output
    assert "mon 08:00–20:00" in made.output
    refused = run("team", "create", "NW", "--kind", "vendor")
    assert refused.exit_code == 2 and "vendor: a vendor team needs its vendor" in refused.output
    assert run("team", "create", "NW", "--kind", "vendor", "--vendor",
               "Northwind").exit_code == 0
    renamed = run("team", "update", "NW", "--name", "Northwind BPO")
    assert renamed.exit_code == 0 and "Northwind BPO" in renamed.output
    listed = run("team", "list")
    assert "Northwind BPO" in listed.output and "vendor" in listed.output
    set_ = run("vendor", "contract", "Northwind", "--starts-on", "2026-01-01",
               "--qa-accuracy", "0.97", "--aht-minutes", "6")
    assert set_.exit_code == 0, set_.output
    assert "97%" in set_.output and "6 min" in set_.output
    bad = run("vendor", "contract", "Northwind", "--starts-on", "2026-02-01",
              "--qa-accuracy", "97")
    assert bad.exit_code == 2 and "qa_accuracy" in bad.output
    committed = run("vendor", "commit", "Northwind", "flags=1200")
    assert committed.exit_code == 0 and "flags 1,200" in committed.output
    assert run("vendor", "commit", "Northwind", "flags").exit_code == 2
    assert run("vendor", "contract", "Northwind", "--starts-on", "2026-07-01").exit_code == 0
    shown = run("vendor", "show", "Northwind")
    assert "2026-06-30" in shown.output, shown.output
    assert "Northwind" in run("vendor", "list").output
    assert run("vendor", "update", "Northwind", "--inactive").exit_code == 0
    assert run("vendor", "show", "Nobody").exit_code == 2
    db = Database(url)
    with db.session() as session:
        team = session.scalar(select(Team))
        assert team is not None and team.vendor is not None
        assert team.vendor.name == "Northwind" and team.vendor.active is False
        periods = [(c.starts_on.isoformat(), c.ends_on) for c in session.scalars(
            select(VendorContract).order_by(VendorContract.starts_on))]
    db.dispose()
    assert [p[0] for p in periods] == ["2026-01-01", "2026-07-01"]
    assert periods[1][1] is None
