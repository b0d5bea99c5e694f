"""QA end to end on the scorecard's hand-built week (Acme: Ben and Cy decide four cases in
2026-W13; Mia, a manager, rules the appeals): the draw, a review, a dispute settled, and QA
accuracy in the KPIs and in routing's quality weight."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.errors import Conflict, Forbidden, InvalidInput
from integrity_desk.kpis import rollup, service
from integrity_desk.kpis.domain import Dimension, Measure, parse_period
from integrity_desk.people.models import Team, User
from integrity_desk.people.service import actor_of
from integrity_desk.quality import review, sampling
from integrity_desk.quality.models import QaItem
from tests.conftest import Person
from tests.kpis.test_figures import at
from tests.kpis.test_scorecard import _week

W14 = parse_period("2026-W14")
APR = datetime(2026, 4, 2, 9, tzinfo=UTC)


@pytest.fixture
def desk(db: Database, make_person: Callable[..., Person],
         make_team: Callable[..., Team]) -> dict[str, Any]:
    week = _week(db, make_person, make_team)
    week["quinn"] = make_person("specialist", team=make_team("QA"))  # reviews everyone
    with db.session() as s:
        mia = s.get(User, week["mia"].user.id)
        assert mia
        sampling.create_plan(s, {"name": "All of Acme", "rule": "share", "share": 1.0,
                                 "seed": "w13"}, user=mia, actor=actor_of(mia), now=at(30, 1))
        assert sampling.run_draw(s, now=at(30, 2)) == "4 decision(s) drawn for QA from 4"
    return week


def _items(db: Database) -> list[QaItem]:
    with db.session() as s:
        return list(s.scalars(select(QaItem).order_by(QaItem.id)))


def test_the_draw_files_each_decision_once_with_its_facts(db: Database,
                                                          desk: dict[str, Any]) -> None:
    items = _items(db)
    assert [i.status for i in items] == ["waiting"] * 4
    assert {i.vendor_id for i in items} == {desk["acme"]}
    assert {i.guideline for i in items} == {"fake", "offensive_language"}
    assert all(i.reason == "100% of each person's decisions per week: 2 of 2" for i in items)
    with db.session() as s:  # a second run finds nothing new
        assert sampling.run_draw(s, now=at(30, 3)) == "nothing to draw from 0 decision(s)"
        events = s.execute(select(QaItem.case_id)).all()
    assert len(events) == 4


def test_nobody_is_given_their_own_decision(db: Database, desk: dict[str, Any]) -> None:
    ben_id = desk["ben"].user.id
    with db.session() as s:
        ben = s.get(User, ben_id)
        assert ben
        assert all(i.person_id != ben_id for i in review.queue(s, reviewer=ben))
        taken = [review.take_next(s, reviewer=ben, actor=actor_of(ben), now=at(30, 9))]
        assert taken[0] is not None and taken[0].person_id != ben_id
        own = s.scalar(select(QaItem).where(QaItem.person_id == ben_id))
        assert own
        with pytest.raises(Forbidden, match="own decision"):
            review.review(s, own, reviewer=ben, findings=[], feedback=None, dispute_days=7,
                          actor=actor_of(ben), now=at(30, 9))


def _review_all(db: Database, desk: dict[str, Any]) -> dict[int, QaItem]:
    """Quinn finds a critical error in Ben's first decision and nothing wrong elsewhere."""
    ben_id = desk["ben"].user.id
    with db.session() as s:
        quinn = s.get(User, desk["quinn"].user.id)
        assert quinn
        first_of_ben = None
        while (item := review.take_next(s, reviewer=quinn, actor=actor_of(quinn),
                                        now=at(30, 9))) is not None:
            wrong = item.person_id == ben_id and first_of_ben is None
            if wrong:
                first_of_ben = item.id
            review.review(s, item, reviewer=quinn, feedback="See the timeline." if wrong else None,
                          findings=[{"category": "wrong_action", "note": "Should stay up."},
                                    {"category": "communication"}] if wrong else [],
                          dispute_days=7, actor=actor_of(quinn), now=at(30, 9))
        rollup.run(s, now=at(30, 10))
        return {i.id: i for i in s.scalars(select(QaItem))}


def _accuracy(db: Database, desk: dict[str, Any], dimension: Dimension, key: str,
              now: datetime) -> tuple[float | None, float | None, float | None]:
    with db.session() as s:
        manager = s.get(User, desk["mia"].user.id)
        row = service.table(s, viewer=manager, period=W14, dimension=dimension,
                            now=now).row(key)
        assert row is not None
        f = row.figures[Measure.QA_ACCURACY]
        return f.value, f.numerator, f.denominator


def test_a_critical_error_fails_and_feeds_the_kpis(db: Database, desk: dict[str, Any]) -> None:
    items = _review_all(db, desk)
    failed = [i for i in items.values() if i.correct is False]
    assert len(failed) == 1
    [bad] = failed
    assert (bad.score, bad.verdict) == (0, "critical error: wrong_action")
    assert len({i.form_id for i in items.values()}) == 1 and bad.form_id is not None
    assert [f["severity"] for f in bad.findings] == ["critical", "minor"]
    ben = str(desk["ben"].user.id)
    assert _accuracy(db, desk, Dimension.PERSON, ben, at(30, 10)) == (0.5, 1, 2)
    assert _accuracy(db, desk, Dimension.VENDOR, str(desk["acme"]), at(30, 10)) == (
        0.75, 3, 4)
    assert _accuracy(db, desk, Dimension.GUIDELINE, "fake", at(30, 10)) == (0.5, 1, 2)


def test_a_settled_dispute_changes_the_persons_accuracy(db: Database,
                                                        desk: dict[str, Any]) -> None:
    items = _review_all(db, desk)
    [bad] = [i for i in items.values() if i.correct is False]
    with db.session() as s:
        ben = s.get(User, desk["ben"].user.id)
        cy = s.get(User, desk["quinn"].user.id)
        mia = s.get(User, desk["mia"].user.id)
        item = s.get(QaItem, bad.id)
        assert ben and cy and mia and item
        with pytest.raises(InvalidInput, match="reason"):
            review.dispute(s, item, user=ben, reason=" ", actor=actor_of(ben), now=at(31, 9))
        with pytest.raises(Forbidden, match="whose decision"):
            review.dispute(s, item, user=mia, reason="No.", actor=actor_of(mia), now=at(31, 9))
        review.dispute(s, item, user=ben, reason="Guideline 4.2 allows it.",
                       actor=actor_of(ben), now=at(31, 9))
        with pytest.raises(Forbidden, match="neither made the decision nor reviewed it"):
            review.settle(s, item, lead=cy, settlement="upheld", note="Stands.", findings=None,
                          actor=actor_of(cy), now=at(31, 10))
        rollup.run(s, now=APR)  # the next run's watermark is past the day of review
        review.settle(s, item, lead=mia, settlement="changed", note="4.2 allows it.",
                      findings=[{"category": "communication"}], actor=actor_of(mia),
                      now=APR.replace(hour=10))
        assert (item.correct, item.score, item.status) == (True, 95, "settled")
        rollup.run(s, now=APR.replace(hour=11))
    ben_key = str(desk["ben"].user.id)
    assert _accuracy(db, desk, Dimension.PERSON, ben_key, APR.replace(hour=11)) == (1.0, 2, 2)
    with db.session() as s:  # the kept rollup equals one rebuilt from scratch
        kept = service.table(s, viewer=None, period=W14, dimension=Dimension.VENDOR,
                             now=APR.replace(hour=11)).rows
        rollup.run(s, now=APR.replace(hour=11), rebuild=True)
        rebuilt = service.table(s, viewer=None, period=W14, dimension=Dimension.VENDOR,
                                now=APR.replace(hour=11)).rows
        assert [(r.key, r.counts.qa_reviewed, r.counts.qa_correct) for r in kept] == [
            (r.key, r.counts.qa_reviewed, r.counts.qa_correct) for r in rebuilt]


def test_a_dispute_only_within_its_window_and_once(db: Database, desk: dict[str, Any]) -> None:
    items = _review_all(db, desk)
    ben_id = desk["ben"].user.id
    mine = [i for i in items.values() if i.person_id == ben_id]
    with db.session() as s:
        ben = s.get(User, ben_id)
        assert ben
        late = s.get(QaItem, mine[0].id)
        assert late
        with pytest.raises(Conflict, match="window to dispute closed"):
            review.dispute(s, late, user=ben, reason="Late.", actor=actor_of(ben),
                           now=at(30, 9) + timedelta(days=7, seconds=1))
        review.dispute(s, late, user=ben, reason="Fine.", actor=actor_of(ben), now=at(31, 9))
        with pytest.raises(Conflict, match="only a reviewed item can be disputed, once"):
            review.dispute(s, late, user=ben, reason="Again.", actor=actor_of(ben),
                           now=at(31, 9))


def test_routing_weighs_teams_by_their_qa_accuracy(db: Database, desk: dict[str, Any]) -> None:
    _review_all(db, desk)
    with db.session() as s:
        squad = s.scalar(select(Team.id).where(Team.name == "Acme Squad"))
        assert review.team_accuracy(s, since=at(23, 0), minimum=4) == {squad: 0.75}
        assert review.team_accuracy(s, since=at(23, 0), minimum=5) == {}


def test_plans_are_checked_field_by_field(db: Database, desk: dict[str, Any]) -> None:
    with db.session() as s:
        mia = s.get(User, desk["mia"].user.id)
        assert mia
        for values, field in [({"name": "", "rule": "share", "share": 0.1}, "name"),
                              ({"name": "x", "rule": "most", "share": 0.1}, "rule"),
                              ({"name": "x", "rule": "share", "share": 1.5}, "share"),
                              ({"name": "x", "rule": "new_starters", "share": 0.5}, "first_weeks"),
                              ({"name": "x", "rule": "category", "categories": ["bad"]},
                               "categories"),
                              ({"name": "x", "rule": "severity", "min_severity": 9},
                               "min_severity")]:
            with pytest.raises(InvalidInput) as caught:
                sampling.create_plan(s, values, user=mia, actor=actor_of(mia), now=at(30, 1))
            assert caught.value.field == field


def test_the_scorecard_names_the_errors_qa_found(db: Database, desk: dict[str, Any]) -> None:
    from integrity_desk.kpis import scorecard

    _review_all(db, desk)
    with db.session() as s:
        mia = s.get(User, desk["mia"].user.id)
        assert mia
        card = scorecard.build(s, viewer=mia, vendor_id=desk["acme"], period=W14,
                               now=at(30, 10))
    assert card.errors_no_data is None
    assert [(e.category, e.errors) for e in card.errors] == [("communication", 1),
                                                             ("wrong_action", 1)]
    [qa] = [t for t in card.targets if t.name == "qa_accuracy"]
    assert (qa.figure.value, qa.status.value) == (0.75, "red")
