"""build_statement writes the Commission's wire format; validate_statement catches every break."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from integrity_desk.dsa import schema as s
from integrity_desk.dsa.statement import (
    build_statement,
    facts_field,
    language_code,
    make_puid,
    next_version,
    territorial_scope,
)
from integrity_desk.dsa.validation import validate_statement
from tests.dsa.support import REMOVED, facts, plus_days, valid_facts

Statement = dict[str, Any]


def test_a_realistic_statement_is_the_exact_wire_format():
    statement = build_statement(facts(visibility_end=datetime(2026, 12, 24, 23, 30, tzinfo=UTC),
                                      territorial_scope=["de", "AT", "EL"]))
    assert statement == {
        "puid": "idesk-812-review1-1",
        "decision_visibility": [REMOVED],
        "end_date_visibility_restriction": "2026-12-24",
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": "Guidelines for Reviewers, section 4 'Fake reviews', "
                                       "version 7",
        "incompatible_content_explanation": "The review is not based on a genuine buying or "
                                            "service experience.",
        "incompatible_content_illegal": "No",
        "content_type": ["CONTENT_TYPE_TEXT"],
        "category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "category_specification": ["KEYWORD_INAUTHENTIC_USER_REVIEWS"],
        "territorial_scope": ["AT", "DE", "GR"],
        "content_language": "EN",
        "content_date": "2026-05-03",
        "application_date": "2026-11-25",
        "decision_facts": "A business reported the review. [name] ([e-mail], [phone]) admitted "
                          "she had never been a customer.",
        "source_type": "SOURCE_TYPE_OTHER_NOTIFICATION",
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
    }
    assert validate_statement(statement) == []


def test_the_illegal_ground_carries_its_own_fields_and_not_the_other():
    statement = build_statement(facts(
        decision_ground=s.GROUND_ILLEGAL, ground="§ 186 StGB (üble Nachrede)",
        explanation="False statements of fact about a named person.",
        category="STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        keywords=["KEYWORD_DEFAMATION"], source_type=s.SOURCE_ARTICLE_16,
        source_identity="Law firm acting for the business", territorial_scope="DE"))
    assert statement["illegal_content_legal_ground"] == "§ 186 StGB (üble Nachrede)"
    assert "incompatible_content_ground" not in statement
    assert "incompatible_content_illegal" not in statement
    assert statement["territorial_scope"] == ["DE"]
    assert statement["source_identity"] == "Law firm acting for the business"
    assert validate_statement(statement) == []


def test_own_initiative_drops_the_source_identity_and_other_texts_follow_their_other_value():
    statement = build_statement(facts(
        source_type=s.SOURCE_VOLUNTARY, source_identity="detector v3",
        visibility=[REMOVED, s.VISIBILITY_OTHER, REMOVED], visibility_other="Hidden from search",
        monetary=s.MONETARY_OTHER, monetary_other="Sponsored placement withdrawn",
        content_type=["CONTENT_TYPE_TEXT", s.CONTENT_TYPE_OTHER], content_type_other="Rating",
        keywords=[s.KEYWORD_OTHER], keyword_other="Review pressure by a business",
        category_addition=["STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
                           "STATEMENT_CATEGORY_CONSUMER_INFORMATION"]))
    assert "source_identity" not in statement
    assert statement["decision_visibility"] == [REMOVED, s.VISIBILITY_OTHER]  # sorted, distinct
    assert statement["decision_visibility_other"] == "Hidden from search"
    assert statement["decision_monetary_other"] == "Sponsored placement withdrawn"
    assert statement["content_type_other"] == "Rating"
    assert statement["category_specification_other"] == "Review pressure by a business"
    assert statement["category_addition"] == ["STATEMENT_CATEGORY_CONSUMER_INFORMATION"]
    assert validate_statement(statement) == []


def test_free_text_is_scrubbed_and_kept_within_its_length():
    long_facts = "Contact jane@example.com. " + "Fake cluster evidence. " * 400
    statement = build_statement(facts(facts=long_facts, ground="Mark Evans " * 100))
    assert 4990 <= len(statement["decision_facts"]) <= s.MAX_LENGTH["decision_facts"]
    assert statement["decision_facts"].endswith("…")
    assert "jane@example.com" not in statement["decision_facts"]
    assert "Evans" not in statement["incompatible_content_ground"]
    assert len(statement["incompatible_content_ground"]) <= 500
    assert validate_statement(statement) == []


def test_a_reference_url_that_is_a_profile_is_left_out():
    statement = build_statement(facts(
        ground_reference_url="https://reviews.example.com/users/jane-doe"))
    assert "decision_ground_reference_url" not in statement


def test_language_and_scope_normalisation():
    assert language_code("en-GB") == "EN"
    assert language_code(" de_AT ") == "DE"
    assert territorial_scope("eu") == sorted(s.EU)
    assert territorial_scope("EEA") == sorted(s.EEA)
    assert len(territorial_scope("EEA")) == 30
    assert territorial_scope(["el", "fr", "FR"]) == ["FR", "GR"]


def test_puids_are_pattern_valid_carry_no_subject_ref_and_version_on():
    puid = make_puid(decision_id=812, case_id=40, subject_kind="reviewer", ordinal=2)
    assert puid == "idesk-812-reviewer2-1"
    assert make_puid(decision_id=None, case_id=40, subject_kind="Review:", ordinal=1) \
        == "idesk-c40-review1-1"
    assert next_version(puid) == "idesk-812-reviewer2-2"
    assert next_version("legacy") == "legacy-2"
    assert s.PUID_PATTERN.fullmatch(puid)


def test_every_default_guideline_maps_onto_valid_dsa_values():
    """Guidelines carry their DSA category and keywords (versioned data, one mapping)."""
    from integrity_desk.decisions.defaults import GUIDELINES

    for g in GUIDELINES:
        other = g["title"] if "KEYWORD_OTHER" in g["dsa_keywords"] else None
        statement = build_statement(facts(category=g["dsa_category"],
                                          keywords=tuple(g["dsa_keywords"]),
                                          keyword_other=other))
        assert validate_statement(statement) == [], g["code"]


# -- properties ------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_facts())
def test_every_statement_built_from_valid_facts_validates(f):
    statement = build_statement(f)
    assert validate_statement(statement) == []
    # And it says what the facts say, in the wire's spelling.
    assert statement["automated_detection"] == ("Yes" if f.automated_detection else "No")
    assert statement["content_language"] == statement["content_language"].upper()
    for field in s.ARRAY_FIELDS:
        if field in statement:
            assert statement[field] == sorted(set(statement[field]))


def _drop(field: str) -> Callable[[Statement], None]:
    return lambda st_: st_.pop(field, None)


def _set(field: str, value: Any) -> Callable[[Statement], None]:
    def mutate(statement: Statement) -> None:
        statement[field] = value
    return mutate


def _no_decisions(statement: Statement) -> None:
    for field in (*s.DECISION_FIELDS, *s.END_DATE_OF.values(), "decision_visibility_other",
                  "decision_monetary_other"):
        statement.pop(field, None)


def _switch_ground(statement: Statement) -> None:
    statement["decision_ground"] = (s.GROUND_ILLEGAL if statement["decision_ground"]
                                    == s.GROUND_INCOMPATIBLE else s.GROUND_INCOMPATIBLE)


def _other_without_text(field: str, value: str) -> Callable[[Statement], None]:
    def mutate(statement: Statement) -> None:
        statement[field] = [value] if field in s.ARRAY_FIELDS else value
        statement.pop(f"{field}_other", None)
    return mutate


def _end_before_start(statement: Statement) -> None:
    if statement["application_date"] == "2020-01-01":
        statement["application_date"] = "2020-01-02"
    statement["decision_account"] = "DECISION_ACCOUNT_SUSPENDED"
    statement["end_date_account_restriction"] = plus_days(statement["application_date"], -1)


# (mutation, field that must be named, rule that must be named)
MUTATIONS: list[tuple[str, Callable[[Statement], None], str, str]] = [
    *[(f"drop {f}", _drop(f), f, "required") for f in s.REQUIRED],
    ("no decision at all", _no_decisions, "decision_visibility", "one_decision"),
    *[(f"{value} without its text", _other_without_text(controller, value), field,
       "required_if") for field, (controller, value) in s.REQUIRED_IFF.items()
      if field.endswith("_other")],
    ("KEYWORD_OTHER without its text", _other_without_text("category_specification",
                                                           s.KEYWORD_OTHER),
     "category_specification_other", "required_if"),
    *[(f"bad value in {f}", _set(f, ["NOPE"] if f in s.ARRAY_FIELDS else "NOPE"), f, "enum")
      for f in sorted(s.ENUMS)],
    ("lower-case language", _set("content_language", "en"), "content_language", "enum"),
    ("United Kingdom in scope", _set("territorial_scope", ["UK"]), "territorial_scope", "enum"),
    ("boolean instead of Yes", _set("automated_detection", True), "automated_detection",
     "type"),
    ("puid with a dot", _set("puid", "idesk.1"), "puid", "pattern"),
    ("puid with a newline", _set("puid", "idesk-1\n"), "puid", "pattern"),
    ("puid too long", _set("puid", "p" * 501), "puid", "max_length"),
    ("facts too long", _set("decision_facts", "x" * 5001), "decision_facts", "max_length"),
    ("loose date", _set("content_date", "2025-1-5"), "content_date", "date_format"),
    ("no such day", _set("content_date", "2025-02-30"), "content_date", "date_format"),
    ("content before 2000", _set("content_date", "1999-12-31"), "content_date", "date_min"),
    ("applied before 2020", _set("application_date", "2019-12-31"), "application_date",
     "date_min"),
    ("applied after 2038", _set("application_date", "2038-01-02"), "application_date",
     "date_max"),
    ("end after 2038", _set("end_date_visibility_restriction", "2038-01-02"),
     "end_date_visibility_restriction", "date_max"),
    ("end before application", _end_before_start, "end_date_account_restriction", "date_order"),
    ("ground switched without its texts", _switch_ground, "decision_ground", "switched"),
    ("NUL in the facts", _set("decision_facts", "a\x00b"), "decision_facts",
     "control_character"),
    ("e-mail in the facts", _set("decision_facts", "Write to jane@example.com"),
     "decision_facts", "personal_data"),
    ("profile in the explanation", _set("decision_facts", "https://reviews.example.com/users/u1"),
     "decision_facts", "personal_data"),
    ("unknown field", _set("content_language_other", "Klingon"), "content_language_other",
     "unknown"),
    ("identity for own initiative", lambda st_: st_.update(source_type=s.SOURCE_VOLUNTARY,
                                                          source_identity="someone"),
     "source_identity", "excluded"),
    ("not a URL", _set("decision_ground_reference_url", "reviews terms"),
     "decision_ground_reference_url", "url"),
    ("array with a repeat", _set("content_type", ["CONTENT_TYPE_TEXT", "CONTENT_TYPE_TEXT"]),
     "content_type", "distinct"),
    ("bad EAN", _set("content_id", {"EAN-13": "123"}), "content_id", "pattern"),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m[0] for m in MUTATIONS])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(f=valid_facts())
def test_a_mutation_that_breaks_a_rule_is_caught(f, mutation):
    name, mutate, field, rule = mutation
    statement = copy.deepcopy(build_statement(f))
    mutate(statement)
    errors = validate_statement(statement)
    if rule == "switched":  # the texts the new ground needs are missing, the old ones dropped
        ground = statement["decision_ground"]
        needed = ("illegal_content_legal_ground" if ground == s.GROUND_ILLEGAL
                  else "incompatible_content_ground")
        assert any(e.field == needed and e.rule == "required_if" for e in errors), name
        return
    assert any(e.field == field and e.rule == rule for e in errors), (name, errors)


def test_errors_name_the_field_for_a_person_and_the_facts_field_for_a_caller():
    statement = build_statement(facts())
    del statement["incompatible_content_ground"]
    [error] = validate_statement(statement)
    assert str(error) == ("incompatible_content_ground: is required when decision_ground is "
                          "DECISION_GROUND_INCOMPATIBLE_CONTENT")
    assert facts_field(error.field) == "ground"


@pytest.mark.parametrize("when", [date(2026, 11, 25), datetime(2026, 11, 25, 23, 59)])
def test_dates_and_datetimes_become_days(when):
    assert build_statement(facts(application_date=when))["application_date"] == "2026-11-25"
