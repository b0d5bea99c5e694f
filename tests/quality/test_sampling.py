"""The draw against its rules: pure on a seeded fixture, then through the database."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrity_desk.quality.domain import (
    Candidate,
    Finding,
    Plan,
    Rule,
    Severity,
    draw,
    judge,
    uniform,
    week_of,
)

MON = datetime(2026, 3, 23, 9, tzinfo=UTC)  # ISO week 2026-W13


def _c(n: int, person: int = 1, day: int = 0, **kw: object) -> Candidate:
    return Candidate(n, person, MON + timedelta(days=day, minutes=n), **kw)  # type: ignore[arg-type]


def test_uniform_is_seeded_and_stable() -> None:
    assert uniform("s1", 7) == uniform("s1", 7)
    assert uniform("s1", 7) != uniform("s2", 7)
    assert 0 <= uniform("s1", 7) < 1
    assert week_of(MON + timedelta(days=6, hours=14)) == MON.date()


def test_share_takes_the_lowest_numbers_per_person_and_week_rounded_up() -> None:
    plan = Plan(1, Rule.SHARE, "seed", share=0.25)
    ben = [_c(n, person=1) for n in range(1, 11)]  # 10 decisions: 3 drawn (2.5 up)
    cy = [_c(n, person=2) for n in range(11, 12)]  # 1 decision: 1 drawn
    later = [_c(n, person=1, day=7) for n in range(12, 16)]  # next week: 1 of 4
    picks = draw([plan], ben + cy + later, [])
    got = {p.decision_id for p in picks}
    expect_ben = sorted(range(1, 11), key=lambda n: uniform("seed", n))[:3]
    expect_later = sorted(range(12, 16), key=lambda n: uniform("seed", n))[:1]
    assert got == set(expect_ben) | {11} | set(expect_later)
    assert {p.reason for p in picks if p.decision_id == 11} == {
        "25% of each person's decisions per week: 1 of 1"}
    # The same data drawn again (in another order) gives the same picks.
    assert draw([plan], list(reversed(ben + cy + later)), []) == picks


def test_share_counts_what_is_already_drawn() -> None:
    plan = Plan(1, Rule.SHARE, "seed", share=0.25)
    ben = [_c(n) for n in range(1, 9)]
    first = draw([plan], ben[:4], [])  # 1 of 4 so far
    assert len(first) == 1
    drawn = [c for c in ben if c.decision_id == first[0].decision_id]
    rest = [c for c in ben if c.decision_id != first[0].decision_id]
    second = draw([plan], rest, drawn)  # 2 of 8 now: one more
    assert len(second) == 1
    assert second[0].decision_id != first[0].decision_id


def test_rules_take_every_matching_decision_before_shares_count_them() -> None:
    rules = [Plan(1, Rule.CATEGORY, "a", categories=frozenset({"harmful_illegal"})),
             Plan(2, Rule.SEVERITY, "b", min_severity=4),
             Plan(3, Rule.APPEALED, "c"),
             Plan(4, Rule.SHARE, "d", share=0.5)]
    cands = [_c(1, category="harmful_illegal", severity=3), _c(2, category="fake", severity=4),
             _c(3, category="fake", severity=2, appealed=True), _c(4, category="fake",
                                                                    severity=1),
             _c(5, category="fake", severity=1), _c(6, category="fake", severity=1)]
    picks = {p.decision_id: p for p in draw(list(reversed(rules)), cands, [])}
    assert picks[1].plan_id == 1 and picks[1].reason.endswith("harmful_illegal guideline "
                                                                "is reviewed")
    assert picks[2].plan_id == 2
    assert picks[3].plan_id == 3 and picks[3].reason == "the decision was appealed"
    # Half of six is three, and the rules took three already: the share adds none.
    assert set(picks) == {1, 2, 3}


def test_new_starters_in_their_first_weeks_only() -> None:
    plan = Plan(1, Rule.NEW_STARTERS, "s", share=1.0, first_weeks=2)
    new = MON - timedelta(days=3)
    old = MON - timedelta(weeks=10)
    cands = [_c(1, person=1, person_since=new), _c(2, person=1, day=14, person_since=new),
             _c(3, person=2, person_since=old), _c(4, person=3)]
    assert [p.decision_id for p in draw([plan], cands, [])] == [1]


def test_an_appealed_stray_counts_for_no_share() -> None:
    plan = Plan(1, Rule.SHARE, "s", share=1.0)
    assert draw([plan], [_c(1, appealed=True, in_window=False)], []) == []
    assert [p.decision_id for p in draw([plan, Plan(2, Rule.APPEALED, "t")],
                                        [_c(1, appealed=True, in_window=False)], [])] == [1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 13)), min_size=1, max_size=60),
       st.floats(0.01, 1.0))
def test_share_meets_its_quota_exactly(rows: list[tuple[int, int]], share: float) -> None:
    cands = [_c(n + 1, person=p, day=d) for n, (p, d) in enumerate(rows)]
    picks = {p.decision_id for p in draw([Plan(1, Rule.SHARE, "x", share=share)], cands, [])}
    groups: dict[tuple[int | None, object], list[int]] = {}
    for c in cands:
        groups.setdefault((c.person_id, week_of(c.decided_at)), []).append(c.decision_id)
    for ids in groups.values():
        assert len(picks & set(ids)) == math.ceil(share * len(ids) - 1e-9)


@pytest.mark.parametrize(("findings", "correct", "score"), [
    ([], True, 100),
    ([Finding("communication", Severity.MINOR)], True, 95),
    ([Finding("wrong_guideline", Severity.MAJOR)], True, 80),
    ([Finding("wrong_guideline", Severity.MAJOR), Finding("communication", Severity.MINOR)],
     False, 75),
    ([Finding("wrong_action", Severity.CRITICAL)], False, 0),
])
def test_a_critical_error_fails_whatever_else(findings: list[Finding], correct: bool,
                                              score: int) -> None:
    verdict = judge(findings, 80)
    assert (verdict.correct, verdict.score) == (correct, score)
    if findings and findings[0].severity == Severity.CRITICAL:
        assert verdict.reason == "critical error: wrong_action"
    # A critical error fails even at a pass mark of 0.
    assert not judge([Finding("x", Severity.CRITICAL)], 0).correct
