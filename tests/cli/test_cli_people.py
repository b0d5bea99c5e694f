"""`idesk person …` on a migrated SQLite file: a person's working profile set and shown from
the command line, each refusal naming its field with exit status 2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console
from sqlalchemy import select

from integrity_desk.cli import people
from integrity_desk.db import Database
from integrity_desk.people.models import AvailabilityChange, ShiftException, User
from tests.cli.conftest import Run

EMAIL = "ana@desk.example.com"


@pytest.fixture
def run(run: Run, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setattr(people, "out", Console(width=240))
    assert run("migrate").exit_code == 0
    made = run("user", "create", EMAIL, "--name", "Ana Lima", "--role", "agent",
               env={"IDESK_NEW_PASSWORD": "amber-lantern-river-77"})
    assert made.exit_code == 0, made.output
    return run


def test_a_persons_profile_from_the_command_line(run: Run, url: str) -> None:
    assert run("team", "create", "Desk").exit_code == 0
    changed = run("person", "update", EMAIL, "--capacity", "6", "--languages", "pt,es",
                  "--kinds", "flag,appeal", "--skills", "fraud", "--time-zone",
                  "Europe/Lisbon", "--shifts", "mon-fri 09:00-17:00", "--team", "Desk")
    assert changed.exit_code == 0, changed.output
    assert "mon-fri 09:00-17:00" in changed.output and "40 h a week" in changed.output
    assert "Desk" in changed.output and "fraud" in changed.output
    bad = run("person", "update", EMAIL, "--shifts", "weekdays")
    assert bad.exit_code == 2 and "shift_pattern" in bad.output
    assert run("person", "update", EMAIL, "--capacity", "0").exit_code == 2

    away = run("person", "availability", EMAIL, "away", "--reason", "dentist")
    assert away.exit_code == 0 and "away" in away.output
    assert run("person", "availability", EMAIL, "asleep").exit_code == 2

    start = datetime.now(UTC) + timedelta(days=1)
    leave = run("person", "exception", EMAIL, "--kind", "leave", "--from",
                start.isoformat(), "--until", (start + timedelta(days=5)).isoformat(),
                "--note", "holiday")
    assert leave.exit_code == 0, leave.output
    assert "holiday" in leave.output
    naive = run("person", "exception", EMAIL, "--kind", "leave", "--from",
                "2026-12-24T00:00", "--until", "2026-12-26T00:00")
    assert naive.exit_code == 2 and "starts_at" in naive.output

    db = Database(url)
    with db.session() as s:
        user = s.scalar(select(User).where(User.email == EMAIL))
        assert (user.capacity, user.languages, user.kinds) == (6, ["es", "pt"],
                                                               ["appeal", "flag"])
        assert user.availability == "away"
        assert s.scalar(select(AvailabilityChange.reason)) == "dentist"
        exception_id = s.scalar(select(ShiftException.id))
    listed = run("person", "list", "--team", "Desk")
    assert EMAIL in listed.output and "no: away" in listed.output
    assert run("person", "cancel-exception", EMAIL, str(exception_id)).exit_code == 0
    with db.session() as s:
        assert s.scalar(select(ShiftException.id)) is None
    shown = run("person", "show", EMAIL)
    assert shown.exit_code == 0 and "Exceptions" not in shown.output
    db.dispose()
