"""0031 opens one interval for each case being worked at the upgrade, from its last claim or
assignment, with the holder's team; and goes down again, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.migrate import alembic_config, migrate
from integrity_desk.people.models import Team, User
from integrity_desk.routing.models import WorkInterval
from tests.helpers import table_before

# Columns 0032 (after 0031) added to users.
PEOPLE_0032 = ("kinds", "capacity", "time_zone", "shift_pattern", "availability",
               "availability_since")


def test_the_upgrade_opens_intervals_for_cases_being_worked(blank_db: Database) -> None:
    migrate(blank_db)
    config = alembic_config(blank_db.url)
    # The revision before 0031, whichever it is once the vendors' 0030 lands between them.
    before_0031 = ScriptDirectory.from_config(config).get_revision("0031").down_revision
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, before_0031)
    assert "work_intervals" not in inspect(blank_db.engine).get_table_names()
    claimed_at = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    cases = Case.__table__
    with blank_db.session() as s:  # Core inserts of the columns before 0031
        team = s.execute(insert(Team.__table__).values(name="Vendor A", kind="vendor")
                         .returning(Team.__table__.c.id)).scalar_one()
        users = table_before(User.__table__, *PEOPLE_0032)
        user = s.execute(insert(users).values(
            email="a@desk.example.com", name="A", role="specialist", team_id=team)
            .returning(users.c.id)).scalar_one()

        def case(status: str, assignee: int | None) -> int:
            return s.execute(insert(cases).values(
                kind="flag", channel="api", title=status, status=status, tier=1, priority=3,
                requester_type="business", assignee_id=assignee).returning(cases.c.id)
            ).scalar_one()

        worked, waiting, decided, queued = (case("in_progress", user),
                                            case("waiting_on_requester", user),
                                            case("decided", user), case("triaged", None))
        for seq, (kind, at) in enumerate([("case.claimed", claimed_at - timedelta(hours=2)),
                                          ("case.assigned", claimed_at)], start=1):
            s.execute(insert(AuditEvent.__table__).values(
                chain_key=f"case:{worked}", seq=seq, case_id=worked, actor_label="x",
                kind=kind, category="state", occurred_at=at, payload="{}", prev_hash="0" * 64,
                hash=f"{seq}" * 64))
    before = datetime.now(UTC)
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with blank_db.session() as s:
        got = {w.case_id: w for w in s.scalars(select(WorkInterval))}
    assert set(got) == {worked, waiting}  # not the decided one, not the waiting-in-queue one
    assert decided not in got and queued not in got
    assert got[worked].started_at == claimed_at
    assert got[waiting].started_at >= before - timedelta(seconds=1)
    assert all((w.user_id, w.team_id, w.ended_at, w.start_reason) == (
        user, team, None, "backfilled") for w in got.values())
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, before_0031)
    assert "work_intervals" not in inspect(blank_db.engine).get_table_names()
