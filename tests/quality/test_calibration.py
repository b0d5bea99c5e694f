"""Calibration exercises through the services: kpis.md's reference data decided as an
exercise gives alpha 0.743; closing certifies who passes both bars and no one else; the
exercise moves draft → open → closed only, and answers only from the invited while open."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database
from integrity_desk.errors import Conflict, InvalidInput, NotFound
from integrity_desk.people import certifications
from integrity_desk.people.models import Certification, User
from integrity_desk.people.service import actor_of
from integrity_desk.quality import calibration, calibration_answers
from integrity_desk.quality.calibration_models import CalibrationExercise
from tests.conftest import Person

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

# kpis.md, "Quality": 4 coders × 12 units, "*" = no rating; rows are coders.
REFERENCE = """
1 2 3 3 2 1 4 1 2 * * *
1 2 3 3 2 2 4 1 2 5 * 3
* 3 3 3 2 3 4 2 2 5 1 *
1 2 3 3 2 4 4 1 2 5 1 *
"""
# The table's values as answers: five actions, one guideline (so the label is the action).
AS_ACTION = {"1": "keep", "2": "remove_review", "3": "label_review", "4": "warn_reviewer",
             "5": "hide_pending_investigation"}


def build(db: Database, manager: Person, members: list[Person], items: int, *,
          references: list[tuple[str, str | None]] | None = None, **over: Any) -> int:
    """An open exercise of ``items`` synthetic items (reference: remove_review · fake, unless
    ``references`` gives each item's)."""
    references = references or [("remove_review", "fake")] * items
    with db.session() as s:
        boss = s.get(User, manager.user.id)
        ex = calibration.create(s, user=boss, actor=actor_of(boss), now=NOW,
                                title="Fake reviews, December", **over)
        for n in range(items):
            calibration.add_synthetic(s, exercise=ex, title=f"Item {n + 1}",
                                      text=f"Review text {n + 1}", actor=SYSTEM, now=NOW,
                                      reference_action=references[n][0],
                                      reference_guideline=references[n][1])
        calibration.invite(s, exercise=ex, user_ids=[m.user.id for m in members],
                           actor=SYSTEM, now=NOW)
        calibration.open_exercise(s, exercise=ex, actor=SYSTEM, now=NOW)
        return ex.id


def answer(db: Database, exercise_id: int, person: Person, position: int, action: str,
           guideline: str | None = "fake") -> None:
    with db.session() as s:
        ex = calibration.get(s, exercise_id)
        item = calibration.items_of(s, exercise_id)[position]
        user = s.get(User, person.user.id)
        calibration_answers.answer(s, exercise=ex, user=user, item_id=item.id, action=action,
                                   guideline=guideline, note=None, actor=actor_of(user),
                                   now=NOW)


def close(db: Database, exercise_id: int) -> dict[str, Any]:
    with db.session() as s:
        ex = calibration.close(s, exercise=calibration.get(s, exercise_id), actor=SYSTEM,
                               now=NOW + timedelta(days=1))
        return dict(ex.results or {})


def test_kpis_reference_data_decided_as_an_exercise_gives_0_743(
        db: Database, manager: Person, make_person: Callable[..., Person]) -> None:
    coders = [make_person("agent") for _ in range(4)]
    ex = build(db, manager, coders, 12, min_alpha=0.7, min_agreement=0.0)
    for coder, row in zip(coders, REFERENCE.strip().splitlines(), strict=True):
        for position, value in enumerate(row.split()):
            if value != "*":
                answer(db, ex, coder, position, AS_ACTION[value])
    results = close(db, ex)
    assert results["alpha"]["value"] == pytest.approx(0.743, abs=0.0005)
    assert results["alpha"]["items"] == 11 and results["alpha"]["words"] == "tentative"
    # One guideline throughout: the action's alpha is the same, the guideline's has no data.
    assert results["alpha_action"]["value"] == pytest.approx(0.743, abs=0.0005)
    assert results["alpha_guideline"]["value"] is None
    # Unit 6 (position 6): four different answers, the most disagreed item.
    assert results["disagreed"][0]["position"] == 6
    assert results["disagreed"][0]["disagreement"] == 1.0
    assert len(results["pairs"]) == 6
    assert [p["guideline"] for p in results["per_guideline"]] == ["fake"]


def test_passing_both_bars_certifies_and_nothing_else_does(
        db: Database, manager: Person, make_person: Callable[..., Person]) -> None:
    ana, ben, cy, dee = (make_person("agent") for _ in range(4))
    truth = [("remove_review", "fake"), ("keep", None)] * 2
    ex = build(db, manager, [ana, ben, cy, dee], 4, references=truth, min_alpha=0.6,
               min_agreement=0.8, certification="fake-queue", valid_days=90)
    # Ana and Ben answer as the reference does; Cy misses the last item; Dee answers nothing.
    for person in (ana, ben):
        for n, (action, guideline) in enumerate(truth):
            answer(db, ex, person, n, action, guideline)
    for n, (action, guideline) in enumerate([*truth[:3], ("remove_review", "fake")]):
        answer(db, ex, cy, n, action, guideline)
    results = close(db, ex)
    # Worked by hand: o_RR = 6, o_KK = 4, o_RK = o_KR = 1; n_R = 7, n_K = 5, n = 12.
    # D_o = 2/12, D_e = 2·7·5/(12·11); alpha = 1 − D_o/D_e = 0.686.
    assert results["alpha"]["value"] == pytest.approx(1 - (2 / 12) / (70 / 132), abs=1e-4)
    people = {p["user_id"]: p for p in results["people"]}
    assert [people[p.user.id]["passed"] for p in (ana, ben, cy, dee)] == [
        True, True, False, False]
    assert people[cy.user.id]["agreement"]["value"] == 0.75
    assert people[cy.user.id]["reason"] == (
        "agreement with the reference 0.750 is below the bar 0.800")
    assert people[dee.user.id]["reason"] == "answered no item"
    with db.session() as s:
        held = certifications.held(s, [p.user.id for p in (ana, ben, cy, dee)],
                                   NOW + timedelta(days=2))
        grants = list(s.scalars(select(Certification)))
    assert held == {ana.user.id: {"fake-queue"}, ben.user.id: {"fake-queue"},
                    cy.user.id: set(), dee.user.id: set()}
    assert {g.source_ref for g in grants} == {f"calibration:{ex}"}
    assert all(g.source == "calibration" for g in grants)
    assert all(g.expires_at == NOW + timedelta(days=91) for g in grants)


def test_a_group_below_the_alpha_bar_certifies_no_one(
        db: Database, manager: Person, make_person: Callable[..., Person]) -> None:
    ana, ben = make_person("agent"), make_person("agent")
    ex = build(db, manager, [ana, ben], 4, min_alpha=0.8, min_agreement=0.5,
               certification="fake-queue")
    for n, (a, b) in enumerate([("remove_review", "remove_review"), ("keep", "remove_review"),
                                ("remove_review", "keep"), ("keep", "keep")]):
        answer(db, ex, ana, n, a)
        answer(db, ex, ben, n, b)
    results = close(db, ex)
    assert results["alpha"]["value"] < 0.8
    assert all(not p["passed"] and "group's alpha" in p["reason"] for p in results["people"])
    with db.session() as s:
        assert s.scalar(select(Certification.id)) is None
        kinds = [e.kind for e in s.scalars(select(AuditEvent).where(
            AuditEvent.chain_key == "people").order_by(AuditEvent.seq))]
        closed = s.scalars(select(AuditEvent).where(
            AuditEvent.kind == "calibration.closed")).one()
    assert kinds[-1] == "calibration.closed" and "calibration.opened" in kinds
    assert json.loads(closed.payload)["passed"] == []


def test_the_exercise_moves_one_way_and_only_the_invited_answer_while_open(
        db: Database, manager: Person, make_person: Callable[..., Person]) -> None:
    ana, ben, stranger = make_person("agent"), make_person("agent"), make_person("agent")
    ex = build(db, manager, [ana, ben], 2)
    with pytest.raises(NotFound):
        answer(db, ex, stranger, 0, "keep")
    with pytest.raises(InvalidInput) as err:
        answer(db, ex, ana, 0, "delete_everything")
    assert err.value.field == "action"
    with pytest.raises(InvalidInput) as err:
        answer(db, ex, ana, 0, "keep", guideline="no_such_guideline")
    assert err.value.field == "guideline"
    answer(db, ex, ana, 0, "keep")
    answer(db, ex, ana, 0, "remove_review")  # changed before submitting
    with db.session() as s:
        user = s.get(User, ana.user.id)
        calibration_answers.submit(s, exercise=calibration.get(s, ex), user=user,
                                   actor=SYSTEM, now=NOW)
    with pytest.raises(Conflict):
        answer(db, ex, ana, 1, "keep")
    with db.session() as s:
        exercise = calibration.get(s, ex)
        with pytest.raises(Conflict):
            calibration.add_synthetic(s, exercise=exercise, title="late", text="x",
                                      actor=SYSTEM, now=NOW)
        with pytest.raises(Conflict):
            calibration.open_exercise(s, exercise=exercise, actor=SYSTEM, now=NOW)
    close(db, ex)
    with pytest.raises(Conflict):
        answer(db, ex, ben, 1, "keep")
    with pytest.raises(Conflict):
        close(db, ex)


def test_an_exercise_needs_two_items_and_two_people_and_valid_bars(
        db: Database, manager: Person, make_person: Callable[..., Person]) -> None:
    ana = make_person("agent")
    viewer = make_person("viewer")
    with db.session() as s:
        boss = s.get(User, manager.user.id)
        for over, field in [({"min_alpha": 1.5}, "min_alpha"),
                            ({"certification": "Fake Queue"}, "certification"),
                            ({"valid_days": 0}, "valid_days"),
                            ({"guidelines": ["nope"]}, "guidelines"),
                            ({"title": " "}, "title")]:
            with pytest.raises(InvalidInput) as err:
                calibration.create(s, user=boss, actor=SYSTEM, now=NOW,
                                   **{"title": "x", **over})
            assert err.value.field == field
        ex = calibration.create(s, user=boss, actor=SYSTEM, now=NOW, title="x",
                                guidelines=["fake"])
        with pytest.raises(InvalidInput) as err:
            calibration.add_synthetic(s, exercise=ex, title="t", text="x", actor=SYSTEM,
                                      now=NOW, reference_action="keep",
                                      reference_guideline="duplicate")
        assert err.value.field == "reference_guideline"
        calibration.add_synthetic(s, exercise=ex, title="t", text="x", actor=SYSTEM, now=NOW)
        with pytest.raises(InvalidInput) as err:
            calibration.invite(s, exercise=ex, user_ids=[viewer.user.id], actor=SYSTEM,
                               now=NOW)
        assert err.value.field == "user_ids"
        calibration.invite(s, exercise=ex, user_ids=[ana.user.id], actor=SYSTEM, now=NOW)
        with pytest.raises(InvalidInput) as err:
            calibration.open_exercise(s, exercise=ex, actor=SYSTEM, now=NOW)
        assert err.value.field == "items"


def test_the_worker_closes_exercises_past_their_close_time(
        db: Database, manager: Person, make_person: Callable[..., Person]) -> None:
    ana, ben = make_person("agent"), make_person("agent")
    due = build(db, manager, [ana, ben], 2, closes_at=NOW + timedelta(hours=1))
    later = build(db, manager, [ana, ben], 2, closes_at=NOW + timedelta(days=3))
    with db.session() as s:
        assert calibration.close_due(s, actor=SYSTEM, now=NOW + timedelta(hours=2)) == 1
    with db.session() as s:
        assert s.get(CalibrationExercise, due).status == "closed"
        assert s.get(CalibrationExercise, later).status == "open"
