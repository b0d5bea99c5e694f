"""Action rules, effects and the sanctions ladder, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrity_desk.decisions.domain import (
    RULES,
    ActionKind,
    ActionRequest,
    Duration,
    Ground,
    check_action,
    check_ground,
    effect,
    ends_at,
    is_restriction,
    parse_ladder,
    sanction_for,
)
from integrity_desk.errors import InvalidInput

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def req(action: ActionKind, **kw: object) -> ActionRequest:
    return ActionRequest(action, RULES[action].subject_type, 1, **kw)  # type: ignore[arg-type]


def test_restrictions_are_exactly_the_actions_with_a_dsa_field() -> None:
    restricting = {a for a in ActionKind if is_restriction(a)}
    assert restricting == {ActionKind.REMOVE_REVIEW, ActionKind.HIDE_PENDING_INVESTIGATION,
                           ActionKind.LABEL_REVIEW, ActionKind.SUSPEND_REVIEWER,
                           ActionKind.CONSUMER_WARNING, ActionKind.RESTRICT_BUSINESS_FEATURES,
                           ActionKind.END_BUSINESS_FEATURES}
    for a in restricting:
        assert RULES[a].dsa_value and RULES[a].dsa_value.startswith(RULES[a].restriction.upper())


@pytest.mark.parametrize(("request_", "field"), [
    (ActionRequest(ActionKind.REMOVE_REVIEW, "reviewer", 1), "actions.0.subject"),
    (req(ActionKind.SUSPEND_REVIEWER), "actions.0.duration_days"),
    (req(ActionKind.REMOVE_REVIEW, duration_days=3), "actions.0.duration_days"),
    (req(ActionKind.SUSPEND_REVIEWER, duration_days=99_999), "actions.0.duration_days"),
    (req(ActionKind.LABEL_REVIEW), "actions.0.label"),
    (req(ActionKind.CONSUMER_WARNING, label="  "), "actions.0.label"),
    (req(ActionKind.KEEP, response_days=3), "actions.0.response_days"),
    (req(ActionKind.REQUEST_DOCUMENTATION, response_days=120), "actions.0.response_days"),
])
def test_a_request_that_does_not_fit_its_action_names_the_field(
        request_: ActionRequest, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        check_action(request_, "actions.0")
    assert err.value.field == field


def test_grounds() -> None:
    with pytest.raises(InvalidInput, match="ground"):
        check_ground(None, legal_ground=None, restricts=True)
    with pytest.raises(InvalidInput) as err:
        check_ground(Ground.ILLEGAL_CONTENT, legal_ground=" ", restricts=True)
    assert err.value.field == "legal_ground"
    check_ground(None, legal_ground=None, restricts=False)
    check_ground(Ground.INCOMPATIBLE_CONTENT, legal_ground=None, restricts=True)


def test_documentation_window_defaults_to_seven_days() -> None:
    assert ends_at(req(ActionKind.REQUEST_DOCUMENTATION), NOW) == NOW + timedelta(days=7)
    assert ends_at(req(ActionKind.REQUEST_DOCUMENTATION, response_days=3), NOW) == (
        NOW + timedelta(days=3))
    assert ends_at(req(ActionKind.SUSPEND_REVIEWER, duration_days=30), NOW) == (
        NOW + timedelta(days=30))
    assert ends_at(req(ActionKind.REMOVE_REVIEW), NOW) is None


def test_effects() -> None:
    assert effect(req(ActionKind.REMOVE_REVIEW), {"status": "published"}, NOW) == {
        "status": "removed"}
    assert effect(req(ActionKind.RESTORE_REVIEW), {"status": "removed", "label": "x"}, NOW) == {
        "status": "published", "label": None}
    assert effect(req(ActionKind.WARN_REVIEWER), {"warning_count": 2}, NOW) == {
        "warning_count": 3}
    assert effect(req(ActionKind.SUSPEND_REVIEWER, duration_days=10), {}, NOW) == {
        "status": "suspended", "suspended_until": NOW + timedelta(days=10)}
    assert effect(req(ActionKind.CONSUMER_WARNING, label=" Fake reviews removed "), {}, NOW) == {
        "consumer_warning": "Fake reviews removed", "consumer_warning_until": None}
    assert effect(req(ActionKind.KEEP), {"status": "published"}, NOW) == {}


@given(st.sampled_from(list(ActionKind)), st.integers(0, 50))
def test_every_effect_touches_only_its_subjects_fields(action: ActionKind, warnings: int) -> None:
    from integrity_desk.decisions.domain import SUBJECT_FIELDS

    rule = RULES[action]
    request = ActionRequest(action, rule.subject_type, 1,
                            duration_days=5 if rule.duration != Duration.NONE else None,
                            label="label")
    after = effect(request, {"warning_count": warnings}, NOW)
    assert set(after) <= set(SUBJECT_FIELDS[rule.subject_type])


def test_ladder_steps_up_with_repeat_offences() -> None:
    ladder = parse_ladder([
        {"offence": 1, "action": "warn_reviewer"},
        {"offence": 2, "action": "suspend_reviewer", "duration_days": 30},
        {"offence": 4, "action": "suspend_reviewer", "duration_days": 365},
        {"offence": 5, "action": "warn_business"},
    ])
    assert sanction_for(ladder, "reviewer", 1).action == ActionKind.WARN_REVIEWER
    assert sanction_for(ladder, "reviewer", 3).duration_days == 30
    assert sanction_for(ladder, "reviewer", 9).duration_days == 365
    assert sanction_for(ladder, "business", 4) is None
    assert sanction_for(ladder, "business", 5).action == ActionKind.WARN_BUSINESS


@pytest.mark.parametrize("steps", [
    [{"offence": 2, "action": "warn_reviewer"}, {"offence": 1, "action": "warn_reviewer"}],
    [{"offence": 0, "action": "warn_reviewer"}],
    [{"offence": 1, "action": "remove_review"}],
    [{"offence": 1, "action": "suspend_reviewer"}],
    [{"offence": 1, "action": "no_such_action"}],
    [{"action": "warn_reviewer"}],
])
def test_a_bad_ladder_is_refused(steps: list[dict[str, object]]) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_ladder(steps)
    assert err.value.field.startswith("sanctions.0") or err.value.field.startswith("sanctions.1")


def test_default_guidelines_use_the_commissions_values() -> None:
    from integrity_desk.decisions.defaults import GUIDELINES
    from integrity_desk.dsa.domain import check_category

    for g in GUIDELINES:
        check_category(g["dsa_category"], g["dsa_keywords"])
        parse_ladder(g["sanctions"])
