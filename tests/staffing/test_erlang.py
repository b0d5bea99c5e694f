"""Erlang C reproduces every reference value of kpis.md and stays finite and exact for
hundreds of people, where the textbook Aᴺ/N! form overflows."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrity_desk.staffing import erlang


@pytest.mark.parametrize(("agents", "expected"), [(11, 0.6821), (12, 0.4494), (13, 0.2853),
                                                  (14, 0.1741), (15, 0.1020)])
def test_probability_of_waiting_matches_the_reference(agents: int, expected: float) -> None:
    assert erlang.erlang_c(agents, 10.0) == pytest.approx(expected, abs=5e-5)


@pytest.mark.parametrize(("agents", "expected"), [(13, 0.7956), (14, 0.8884), (15, 0.9415)])
def test_service_level_matches_the_reference(agents: int, expected: float) -> None:
    assert erlang.service_level(agents, 10.0, 180, 20) == pytest.approx(expected, abs=5e-5)


def test_required_and_scheduled_agents() -> None:
    # SL(13) = 0.7956 < 0.8 ≤ SL(14) = 0.8884; 0.9 needs 15 (0.9415).
    assert erlang.required_agents(10, 180, 20, 0.8) == 14
    assert erlang.required_agents(10, 180, 20, 0.9) == 15
    assert erlang.scheduled_agents(14, 0.3) == 20  # 14 ÷ 0.7
    assert erlang.scheduled_agents(13, 0.35) == 20  # exactly 20, not 21 by rounding error
    assert erlang.required_agents(0, 180, 20, 0.8) == 0
    # The same queue in hours (200 an hour of 0.05 h, target 20 s), as the plan counts it.
    assert erlang.required_agents(200 * 0.05, 0.05, 20 / 3600, 0.8) == 14
    assert erlang.average_speed_of_answer(14, 10, 0.05) == pytest.approx(
        erlang.erlang_c(14, 10) * 0.05 / 4)


def test_average_speed_of_answer_and_occupancy() -> None:
    assert erlang.average_speed_of_answer(14, 10, 180) == pytest.approx(0.1741 * 180 / 4,
                                                                        rel=1e-3)
    assert erlang.average_speed_of_answer(10, 10, 180) == math.inf
    assert erlang.occupancy(14, 10) == pytest.approx(10 / 14)
    assert erlang.service_level(9, 10, 180, 20) == 0.0  # fewer people than load: no level


def test_hundreds_of_people_stay_finite() -> None:
    # 10³⁷⁵ would be needed by the textbook form here.
    c = erlang.erlang_c(200, 180.0)
    assert 0 < c < 1
    assert erlang.required_agents(950, 3, 0.5, 0.9) > 950
    assert 0 < erlang.erlang_c(1000, 950) < 1


@given(st.integers(min_value=1, max_value=12), st.floats(min_value=0.01, max_value=11.9))
def test_the_recursion_is_the_closed_form(agents: int, load: float) -> None:
    closed = (load ** agents / math.factorial(agents)) / sum(
        load ** k / math.factorial(k) for k in range(agents + 1))
    assert erlang.erlang_b(agents, load) == pytest.approx(closed, rel=1e-9)


@given(st.floats(min_value=0.1, max_value=400), st.floats(min_value=0.5, max_value=0.99))
def test_required_agents_is_the_fewest_that_meet_the_level(load: float, level: float) -> None:
    n = erlang.required_agents(load, 1.0, 0.2, level)
    assert n > load
    assert erlang.service_level(n, load, 1.0, 0.2) >= level
    if n - 1 > load:
        assert erlang.service_level(n - 1, load, 1.0, 0.2) < level


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="share"):
        erlang.required_agents(10, 180, 20, 1.2)
    with pytest.raises(ValueError, match="shrinkage"):
        erlang.scheduled_agents(10, 1.0)
    with pytest.raises(ValueError):
        erlang.erlang_b(-1, 3)
