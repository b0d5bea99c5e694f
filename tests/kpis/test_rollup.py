"""The rollup's reach: a first run counts a long history but reconstructs only the recent
days' backlogs; the older ones say "not recorded", never 0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.kpis import rollup, service
from integrity_desk.kpis.domain import Dimension, Grain, Measure, period_of
from tests import factories as f

CASE_IN: TypeAdapter[Any] = TypeAdapter(CaseIn)


def test_a_first_run_reconstructs_recent_backlogs_only(db: Database) -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    long_ago = now - timedelta(days=60)
    with db.session() as s:
        Intake(s, now=long_ago, actor=SYSTEM).submit(CASE_IN.validate_python(f.flag("old")))
        rollup.run(s, now=now)
        old = service.table(s, viewer=None, period=period_of(Grain.WEEK, long_ago.date()),
                            dimension=Dimension.DESK, now=now).rows[0].figures
        recent = service.table(s, viewer=None, period=period_of(Grain.WEEK, now.date()),
                               dimension=Dimension.DESK, now=now).rows[0].figures
    assert old[Measure.INFLOW].value == 1  # counted: history reaches back 400 days
    assert old[Measure.BACKLOG].value is None
    assert old[Measure.BACKLOG].no_data == "the backlog was not recorded then"
    assert recent[Measure.BACKLOG].value == 1
    assert recent[Measure.BACKLOG_AGE_MAX].value == 60 * 24


def test_a_second_stale_reader_finds_the_rollup_done(db: Database) -> None:
    """Two pages that found the rollup stale queue on its lock; the second has nothing to do."""
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    with db.session() as s:
        rollup.run(s, now=now)
    with db.session() as s:
        said = rollup.run(s, now=now + timedelta(minutes=1), max_age=timedelta(minutes=15))
        assert said == "up to date already"
        assert rollup.last_run(s) == now
        assert rollup.run(s, now=now + timedelta(minutes=20),
                          max_age=timedelta(minutes=15)).endswith("ms")
