"""The rules of the harm shield, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from integrity_desk.errors import InvalidInput
from integrity_desk.triage.domain import (
    DEFAULT_HARM_CAP,
    HARM_CAP_FACTOR,
    Rule,
    TriageFacts,
    harm_cap,
    score,
    validate_rule,
)
from integrity_desk.wellbeing.domain import (
    Item,
    at_cap,
    cap_refusal,
    exposure_day,
    hidden_label,
    parse_item,
)


def test_items_are_a_case_or_a_review() -> None:
    assert parse_item("review:12") == Item("review", 12)
    assert parse_item(" case:3 ").code == "case:3"
    for bad in ("review:0", "business:1", "review:x", "", "case:1;drop"):
        with pytest.raises(InvalidInput):
            parse_item(bad)


def test_the_day_is_the_utc_day() -> None:
    late = datetime(2026, 12, 6, 23, 59, tzinfo=UTC)
    assert exposure_day(late).isoformat() == "2026-12-06"
    assert exposure_day(late + timedelta(minutes=1)).isoformat() == "2026-12-07"
    berlin_morning = datetime(2026, 12, 7, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert exposure_day(berlin_morning).isoformat() == "2026-12-06"


def test_the_cap_is_reached_at_the_cap() -> None:
    assert not at_cap(19, 20)
    assert at_cap(20, 20)
    assert at_cap(25, 20)
    assert at_cap(0, 0)  # a cap of 0: no harmful work at all


def test_the_refusal_names_the_rule() -> None:
    assert cap_refusal(20, 20).startswith(
        "you have seen 20 harmful items today, the daily limit is 20")
    assert cap_refusal(1, 1, who="Ana Lima").startswith("Ana Lima has seen 1 harmful item")
    assert hidden_label("threat,hate") == "Hidden: threat of violence, hate speech"


def test_the_cap_is_a_rule_of_the_rule_set() -> None:
    assert harm_cap([]) == DEFAULT_HARM_CAP == 20
    assert harm_cap([Rule("cap", HARM_CAP_FACTOR, {"items": 5})]) == 5
    validate_rule(HARM_CAP_FACTOR, {"items": 0})
    for bad in ({}, {"items": -1}, {"items": "5"}, {"items": True}, {"items": 10_001}):
        with pytest.raises(ValueError, match="harm_exposure_cap"):
            validate_rule(HARM_CAP_FACTOR, bad)
    # Not a score: a rule set with a cap scores as one without.
    facts = TriageFacts(kind="flag", now=datetime.now(UTC))
    assert score([Rule("cap", HARM_CAP_FACTOR, {"items": 5})], facts).score == 0
