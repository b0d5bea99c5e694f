"""Scoring: each factor's points, computed by hand from the default rules; thresholds; checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from integrity_desk.cases.domain import Priority
from integrity_desk.triage.defaults import DEFAULT_RULES
from integrity_desk.triage.domain import Rule, TriageFacts, score, validate_rule

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
RULES = {r["factor"]: Rule(r["name"], r["factor"], r["params"]) for r in DEFAULT_RULES}
ALL = [Rule(r["name"], r["factor"], r["params"]) for r in DEFAULT_RULES]


def _only(factor: str, **facts: Any) -> int:
    """Points of one default rule alone for these facts."""
    result = score([RULES[factor]], TriageFacts(**{"kind": "flag", "now": NOW, **facts}))
    assert result.score == sum(r.points for r in result.reasons)
    return result.score


@pytest.mark.parametrize(("kind", "points"), [
    ("flag", 10), ("csm_escalation", 30), ("executive_escalation", 50), ("appeal", 25),
    ("legal_notice", 40), ("trusted_flagger_notice", 35), ("investigation", 30),
    ("something_else", 0)])
def test_kind(kind, points):
    assert _only("kind", kind=kind) == points


@pytest.mark.parametrize(("requester", "points"), [
    ("court", 30), ("authority", 25), ("law_firm", 10), ("executive", 10), ("consumer", 0),
    (None, 0)])
def test_requester_type(requester, points):
    assert _only("requester_type", requester_type=requester) == points


@pytest.mark.parametrize(("tier", "points"), [
    ("enterprise", 20), ("premium", 12), ("standard", 5), ("free", 0), (None, 0)])
def test_customer_tier(tier, points):
    assert _only("customer_tier", customer_tier=tier) == points


@pytest.mark.parametrize(("revenue", "points"), [
    (1_000_000, 25), (250_000, 25), (249_999, 15), (50_000, 15), (49_999, 8), (10_000, 8),
    (9_999, 0), (0, 0), (None, 0)])
def test_revenue_bands_first_reached_from_the_top(revenue, points):
    assert _only("revenue_at_stake", revenue_at_stake=revenue) == points


@pytest.mark.parametrize(("strength", "points"), [
    (1.0, 30), (0.9, 30), (0.89, 20), (0.75, 20), (0.7, 10), (0.6, 10), (0.59, 0), (None, 0)])
def test_fraud_signal_bands(strength, points):
    assert _only("fraud_signal", signal_score=strength) == points
    if points:
        reason = score([RULES["fraud_signal"]], TriageFacts(
            kind="investigation", now=NOW, signal_score=strength)).reasons[0]
        assert reason.rule == "fraud-signal" and "fraud signal of strength" in reason.why


@pytest.mark.parametrize(("hours", "points"), [
    (1, 50), (24, 50), (24.5, 30), (72, 30), (100, 15), (168, 15), (169, 0),
    (0, 60), (-0.01, 60), (-48, 60)])
def test_legal_deadline_bands_and_overdue(hours, points):
    assert _only("legal_deadline", legal_deadline=NOW + timedelta(hours=hours)) == points


def test_no_legal_deadline_scores_nothing():
    assert _only("legal_deadline", legal_deadline=None) == 0


@pytest.mark.parametrize(("category", "points"), [
    ("harmful_illegal", 40), ("personal_information", 25), ("review_pressure", 15),
    ("incentivised", 10), ("conflict_of_interest", 10), ("fake", 10),
    ("offensive_language", 8), ("advertising_spam", 5), ("other", 0), (None, 0)])
def test_harm_severity(category, points):
    assert _only("harm_severity", category=category) == points


def test_trusted_flagger():
    assert _only("trusted_flagger", trusted_flagger=True) == 30
    assert _only("trusted_flagger", trusted_flagger=False) == 0


@pytest.mark.parametrize(("reviews", "points"), [
    (500_000, 15), (100_000, 15), (99_999, 8), (10_000, 8), (9_999, 3), (1_000, 3),
    (999, 0), (None, 0)])
def test_business_reach(reviews, points):
    assert _only("business_reach", business_review_count=reviews) == points


@pytest.mark.parametrize(("earlier", "points"), [(0, 0), (1, 5), (3, 15), (4, 20), (5, 20),
                                                 (40, 20)])
def test_repeat_subject_is_capped_at_max(earlier, points):
    assert _only("repeat_subject", earlier_cases_on_subject=earlier) == points


@pytest.mark.parametrize(("total", "priority"), [
    (200, "P0"), (90, "P0"), (89, "P1"), (65, "P1"), (64, "P2"), (40, "P2"), (39, "P3"),
    (20, "P3"), (19, "P4"), (0, "P4")])
def test_default_thresholds(total, priority):
    rules = [Rule("k", "kind", {"points": {"flag": total}}), RULES["priority_thresholds"]]
    assert score(rules, TriageFacts(kind="flag", now=NOW)).priority == Priority(priority)


def test_custom_thresholds_replace_the_defaults():
    rules = [Rule("k", "kind", {"points": {"flag": 50}}),
             Rule("t", "priority_thresholds", {"P0": 100, "P1": 80, "P2": 60, "P3": 50})]
    assert score(rules, TriageFacts(kind="flag", now=NOW)).priority == Priority.P3


def test_breakdown_of_a_full_case_sums_to_its_score():
    facts = TriageFacts(
        kind="legal_notice", now=NOW, requester_type="court", customer_tier="premium",
        revenue_at_stake=60_000, legal_deadline=NOW + timedelta(hours=10),
        category="harmful_illegal", trusted_flagger=False, business_review_count=12_000,
        earlier_cases_on_subject=2)
    result = score(ALL, facts)
    assert [(r.rule, r.points) for r in result.reasons] == [
        ("kind", 40), ("requester", 30), ("customer-tier", 12), ("revenue", 15),
        ("legal-deadline", 50), ("harm", 40), ("reach", 8), ("repeat-subject", 10)]
    assert result.score == 205 == sum(r.points for r in result.reasons)
    assert result.priority == Priority.P0
    why = {r.factor: r.why for r in result.reasons}
    assert why["legal_deadline"] == "legal deadline in 10 h"
    assert why["requester_type"] == "requester is a court"
    assert why["revenue_at_stake"] == "€60,000 a year at stake"
    assert why["repeat_subject"] == "2 earlier case(s) on the same subject"
    assert "trusted_flagger" not in why  # rules that add nothing are not listed


def test_a_plain_flag_is_low_priority():
    result = score(ALL, TriageFacts(kind="flag", now=NOW, requester_type="consumer",
                                    category="advertising_spam"))
    assert (result.score, result.priority) == (15, Priority.P4)
    assert result.reasons[0].as_dict() == {"rule": "kind", "factor": "kind", "points": 10,
                                           "why": "case kind flag"}


# -- validation ---------------------------------------------------------------------------------

def test_every_default_rule_is_valid():
    for rule in DEFAULT_RULES:
        validate_rule(rule["factor"], rule["params"])


@pytest.mark.parametrize(("factor", "params", "message"), [
    ("astrology", {}, "unknown factor 'astrology'"),
    ("priority_thresholds", {"P0": 20, "P1": 65, "P2": 40, "P3": 10}, "P0 ≥ P1 ≥ P2 ≥ P3"),
    ("priority_thresholds", {"P0": 90, "P1": 65, "P2": 40}, "P0 ≥ P1 ≥ P2 ≥ P3"),
    ("priority_thresholds", {"P0": "high", "P1": 65, "P2": 40, "P3": 1}, "P0 ≥ P1 ≥ P2 ≥ P3"),
    ("revenue_at_stake", {"bands": {"250000": 25}}, "bands must be a list of [threshold, points]"),
    ("revenue_at_stake", {"bands": [[250_000, 25, 1]]}, "bands must be a list"),
    ("revenue_at_stake", {"bands": [["lots", 25]]}, "bands must be a list"),
    ("revenue_at_stake", {"bands": [[10_000, 8], [250_000, 25]]}, "highest first"),
    ("legal_deadline", {"bands_hours": [[24, "many"]]}, "bands_hours must be a list"),
    ("legal_deadline", {"bands_hours": [[168, 15], [24, 50]]}, "lowest first"),
    ("legal_deadline", {"overdue": "yes"}, "overdue must be a number"),
    ("kind", {"points": 10}, "points must be a mapping"),
    ("kind", {"points": {"flag": "ten"}}, "points must be a mapping"),
    ("trusted_flagger", {"points": {"x": 1}}, "points must be a number"),
    ("repeat_subject", {"per_case": 5, "max": "20"}, "max must be a number"),
])
def test_validate_rule_refuses(factor, params, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        validate_rule(factor, params)


def test_rules_that_pass_validation_always_score():
    """Whatever validate_rule lets through, scoring can read (no crash at intake)."""
    odd = [Rule("k", "kind", {}), Rule("r", "revenue_at_stake", {"bands": []}),
           Rule("d", "legal_deadline", {"bands_hours": [[24.5, 7]]}),
           Rule("t", "trusted_flagger", {"points": 2.5}),
           Rule("p", "repeat_subject", {"per_case": 3})]
    for rule in odd:
        validate_rule(rule.factor, rule.params)
    facts = TriageFacts(kind="flag", now=NOW, revenue_at_stake=5, trusted_flagger=True,
                        legal_deadline=NOW + timedelta(hours=1), earlier_cases_on_subject=2)
    result = score(odd, facts)
    assert [(r.rule, r.points) for r in result.reasons] == [("d", 7), ("t", 2)]
