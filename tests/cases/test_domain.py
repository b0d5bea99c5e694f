"""The case lifecycle and keys as pure rules: no database."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from integrity_desk.cases.domain import (
    ACTIONS,
    KEY_PREFIX,
    MAX_CASE_ID,
    OPEN_STATUSES,
    TRANSITIONS,
    CaseKind,
    CaseStatus,
    allowed_from,
    case_key,
    check_transition,
    parse_case_key,
)
from integrity_desk.errors import Conflict

S = CaseStatus


def test_check_transition_names_current_and_allowed():
    with pytest.raises(Conflict) as caught:
        check_transition("triaged", "decided")
    error = caught.value
    assert error.status_code == 409
    assert error.field == "status"
    assert error.extra == {"current": "triaged", "allowed": ["assigned", "merged"]}
    assert error.to_dict()["allowed"] == ["assigned", "merged"]
    assert "triaged" in error.message and "decided" in error.message


def test_allowed_transitions_pass():
    for current, targets in TRANSITIONS.items():
        for target in targets:
            check_transition(current, target)  # no exception


def test_unknown_status_is_no_transition():
    with pytest.raises(ValueError):
        check_transition("triaged", "vanished")


def test_every_action_leads_somewhere_reachable_and_terminal_states():
    assert set(ACTIONS.values()) <= set(TRANSITIONS)
    assert TRANSITIONS[S.MERGED] == frozenset()
    assert TRANSITIONS[S.CLOSED] == frozenset({S.TRIAGED})
    assert allowed_from(S.MERGED) == []
    assert S.CLOSED not in OPEN_STATUSES and S.MERGED not in OPEN_STATUSES
    # Every state can be reached from a new case.
    seen, todo = {S.NEW}, [S.NEW]
    while todo:
        for target in TRANSITIONS[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(S)


# Named actions plus the moves made by other endpoints (claim/assign, release, merge).
MOVES = {**{a: t for a, t in ACTIONS.items()}, "assign": S.ASSIGNED, "release": S.TRIAGED,
         "merge": S.MERGED}


class Lifecycle(RuleBasedStateMachine):
    """Random walks from a new case: the rules accept exactly the allowed targets."""

    def __init__(self) -> None:
        super().__init__()
        self.status = S.NEW
        self.history = [S.NEW]

    @rule(move=st.sampled_from(sorted(MOVES)))
    def attempt(self, move: str) -> None:
        target = MOVES[move]
        allowed = target in TRANSITIONS[self.status]
        try:
            check_transition(self.status, target)
        except Conflict as exc:
            assert not allowed, (self.status, target)
            assert exc.extra["current"] == self.status.value
            assert exc.extra["allowed"] == sorted(t.value for t in TRANSITIONS[self.status])
            return
        assert allowed, (self.status, target)
        self.status = target
        self.history.append(target)

    @precondition(lambda self: self.status == S.NEW)
    @rule()
    def triage(self) -> None:
        check_transition(self.status, S.TRIAGED)
        self.status = S.TRIAGED
        self.history.append(S.TRIAGED)

    @invariant()
    def merged_is_terminal(self) -> None:
        if S.MERGED in self.history:
            assert self.history[-1] == S.MERGED
            assert self.history.index(S.MERGED) == len(self.history) - 1
            for target in S:
                with pytest.raises(Conflict):
                    check_transition(S.MERGED, target)

    @invariant()
    def closed_only_reopens(self) -> None:
        for before, after in zip(self.history, self.history[1:], strict=False):
            if before == S.CLOSED:
                assert after == S.TRIAGED
        if self.status == S.CLOSED:
            assert allowed_from(self.status) == ["triaged"]

    @invariant()
    def new_never_comes_back(self) -> None:
        assert S.NEW not in self.history[1:]


TestLifecycle = Lifecycle.TestCase
TestLifecycle.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


@given(kind=st.sampled_from(list(CaseKind)),
       case_id=st.integers(min_value=1, max_value=MAX_CASE_ID))
def test_case_key_round_trip(kind, case_id):
    key = case_key(kind, case_id)
    assert key == f"{KEY_PREFIX[kind]}-{case_id}"
    assert parse_case_key(key) == (kind, case_id)
    assert parse_case_key(f"  {key.lower()} ") == (kind, case_id)
    assert parse_case_key(str(case_id)) == (None, case_id)


@given(text=st.one_of(
    st.text(max_size=12),
    st.builds(lambda p, n: f"{p}-{n}", st.sampled_from(["FLG", "lgl", "APL", "X"]),
              st.text(alphabet="0123456789²³¹٣\uff15-", max_size=12)),
))
def test_parse_case_key_never_crashes_and_round_trips(text):
    parsed = parse_case_key(text)  # never raises
    if parsed is None:
        return
    kind, case_id = parsed
    assert 0 <= case_id <= MAX_CASE_ID
    if kind is not None:
        assert parse_case_key(case_key(kind, case_id)) == parsed


@pytest.mark.parametrize("text", ["", "FLG", "FLG-", "XYZ-12", "FLG-12a", "FLG--3", "-5", "²",
                                  "FLG-²", "FLG-٣", str(MAX_CASE_ID + 1),
                                  f"FLG-{10**20}"])
def test_parse_case_key_refuses_non_keys(text):
    assert parse_case_key(text) is None
