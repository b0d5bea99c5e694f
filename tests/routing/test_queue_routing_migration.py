"""0033 gives every existing queue version 1 of its routing settings (the defaults), and a
change to the settings bumps the configuration version; and it goes down again, on both
databases."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, select, text

from integrity_desk.db import Database
from integrity_desk.migrate import alembic_config, migrate
from integrity_desk.people.models import Team
from integrity_desk.routing.models import Queue, QueueRoutingVersion


def test_the_upgrade_backfills_version_1_for_every_queue(blank_db: Database) -> None:
    migrate(blank_db)
    config = alembic_config(blank_db.url)
    before = ScriptDirectory.from_config(config).get_revision("0033").down_revision
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, before)
    assert "queue_routing_versions" not in inspect(blank_db.engine).get_table_names()
    with blank_db.session() as s:  # Core inserts of the columns before 0033
        team = s.execute(insert(Team.__table__).values(name="Trust", kind="internal")
                         .returning(Team.__table__.c.id)).scalar_one()
        for slug in ("trust-one", "trust-two"):
            s.execute(insert(Queue.__table__).values(slug=slug, name=slug, team_id=team,
                                                     kinds=["flag"], tier=1, languages=[],
                                                     skills=[], position=10, active=True))
    migrate(blank_db)
    with blank_db.session() as s:
        rows = list(s.scalars(select(QueueRoutingVersion).order_by(
            QueueRoutingVersion.queue_id)))
        queues = s.scalars(select(Queue.id).order_by(Queue.id)).all()
        assert len(queues) >= 2 and [r.queue_id for r in rows] == list(queues)
        assert {(r.version, r.mode, tuple(r.required_certifications), r.quality_weight,
                 r.ageing_per_hour, r.affinity, r.change_note) for r in rows} == {
            (1, "pull", (), 0.5, 0.25, True, None)}
        version = s.scalar(text("SELECT version FROM config_state WHERE id = 1"))
        rows[0].ageing_per_hour = 1.0  # (a plain UPDATE, as from SQL by hand)
        s.flush()
        assert s.scalar(text("SELECT version FROM config_state WHERE id = 1")) == version + 1
    with blank_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, before)
    assert "queue_routing_versions" not in inspect(blank_db.engine).get_table_names()
