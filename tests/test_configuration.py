"""The cached configuration snapshot follows every change, however it is made."""

from __future__ import annotations

from sqlalchemy import text

from integrity_desk.configuration.service import desk_config
from tests import factories as f


def test_snapshot_is_reused_until_any_configuration_table_changes(db):
    with db.session() as s:
        first = desk_config(s)
    with db.session() as s:
        assert desk_config(s) is first
    # A change by plain SQL, as another process or an operator might make it:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE queues SET tier = 2 WHERE slug = 'flags'"))
    with db.session() as s:
        second = desk_config(s)
    assert second is not first and second.version > first.version
    assert next(q for q in second.queues.queues if q.slug == "flags").tier == 2


def test_rule_change_by_sql_reaches_the_next_intake(client, db, specialist):
    before = client.post("/api/v1/cases", json=f.flag(ref="a"), headers=specialist.headers)
    score = before.json()["case"]["priority_score"]
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM triage_rules WHERE name = 'kind'"))
    after = client.post("/api/v1/cases", json=f.flag(ref="b"), headers=specialist.headers)
    assert after.json()["case"]["priority_score"] == score - 10  # flags earned 10 for their kind


def test_team_calendar_change_reaches_routing(db, make_team):
    team = make_team("Vendor")
    with db.session() as s:
        cfg = desk_config(s)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE queues SET team_id = :t WHERE slug = 'flags'"), {"t": team.id})
    with db.session() as s:
        assert next(q for q in desk_config(s).queues.queues if q.slug == "flags").team_id == (
            team.id)
    assert cfg.version < desk_config(db.session_factory()).version
