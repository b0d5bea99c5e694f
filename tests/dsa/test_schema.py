"""Every value list, length, date range, pattern and rule of the reference schema is honoured."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from integrity_desk.dsa import schema as s
from integrity_desk.dsa.statement import build_statement
from integrity_desk.dsa.validation import validate_statement
from tests.dsa.support import facts

REFERENCE = Path("/work/shared/reference/dsa-sor-schema.json")
VENDORED = Path(s.__file__).with_name("sor_schema.json")
EXAMPLE = Path(__file__).with_name("commission_example.json")
RAW: dict[str, Any] = json.loads(VENDORED.read_text())


def _base() -> dict[str, Any]:
    """A valid statement with every optional field that a single-field check might need."""
    return build_statement(facts())


def _errors_on(statement: dict[str, Any], field: str) -> set[str]:
    return {e.rule for e in validate_statement(statement) if e.field == field}


@pytest.mark.skipif(not REFERENCE.exists(), reason="the shared reference is not mounted here")
def test_the_vendored_schema_is_the_reference():
    assert json.loads(VENDORED.read_text()) == json.loads(REFERENCE.read_text())


def test_the_commissions_own_example_and_the_minimal_example_validate():
    assert validate_statement(json.loads(EXAMPLE.read_text())) == []
    minimal = {k: v for k, v in RAW["minimal_valid_example"].items() if not k.startswith("_")}
    assert validate_statement(minimal) == []


def _with(field: str, value: Any) -> dict[str, Any]:
    statement = _base()
    statement[field] = [value] if field in s.ARRAY_FIELDS else value
    return statement


ENUM_VALUES = [(f, v) for f, spec in RAW["fields"].items() for v in spec.get("enum", [])]


@pytest.mark.parametrize(("field", "value"), ENUM_VALUES,
                         ids=[f"{f}={v}" for f, v in ENUM_VALUES])
def test_every_listed_value_is_accepted(field, value):
    assert "enum" not in _errors_on(_with(field, value), field)


@pytest.mark.parametrize("field", sorted(s.ENUMS))
def test_a_value_outside_each_list_is_refused(field):
    assert "enum" in _errors_on(_with(field, "NOT_A_VALUE"), field)
    if field in ("content_language", "territorial_scope"):  # codes are upper case on the wire
        assert "enum" in _errors_on(_with(field, sorted(s.ENUMS[field])[0].lower()), field)


@pytest.mark.parametrize("field", sorted(s.MAX_LENGTH))
def test_every_length_limit(field):
    limit = RAW["fields"][field]["max_length"]
    filler = "a" * limit if field == "puid" else ("https://e.example/" + "a" * limit)[:limit] \
        if field == "decision_ground_reference_url" else "x" * limit
    assert "max_length" not in _errors_on(_with(field, filler), field)
    assert "max_length" in _errors_on(_with(field, filler + "a"), field)


@pytest.mark.parametrize("field", s.DATE_FIELDS)
def test_every_date_range_and_format(field):
    spec = RAW["fields"][field]
    high = date.fromisoformat(spec["max"])
    assert not _errors_on(_with(field, high.isoformat()), field) - {"date_order"}
    assert "date_max" in _errors_on(_with(field, (high + timedelta(days=1)).isoformat()), field)
    if "min" in spec:
        low = date.fromisoformat(spec["min"])
        assert "date_min" not in _errors_on(_with(field, low.isoformat()), field)
        assert "date_min" in _errors_on(_with(field, (low - timedelta(days=1)).isoformat()),
                                        field)
    for wrong in ("2026-11-25 10:00:00", "25.11.2026", "2026-13-01", "2026-1-5"):
        assert "date_format" in _errors_on(_with(field, wrong), field)


def test_every_required_field_is_required():
    required = [f for f, spec in RAW["fields"].items() if spec["required"] is True]
    assert list(s.REQUIRED) == required
    for field in required:
        for missing in (None, "", "   ", []):
            statement = _base()
            statement[field] = missing
            assert "required" in _errors_on(statement, field), (field, missing)


def test_at_least_one_decision_and_any_one_suffices():
    statement = _base()
    for field in (*s.DECISION_FIELDS, "end_date_visibility_restriction"):
        statement.pop(field, None)
    statement["decision_visibility"] = []
    assert "one_decision" in _errors_on(statement, "decision_visibility")
    for field in s.DECISION_FIELDS:
        value = sorted(s.ENUMS[field])[0]
        alone = dict(statement, **{field: [value] if field in s.ARRAY_FIELDS else value})
        if value.endswith("_OTHER"):
            alone[f"{field}_other"] = "Something else"
        assert validate_statement(alone) == [], field


def test_every_conditional_field_of_the_reference_is_a_rule():
    """The reference's prose conditions and the rule tables say the same thing."""
    for field, spec in RAW["fields"].items():
        condition = spec.get("condition", "")
        if condition.startswith("required iff"):
            controller, value = s.REQUIRED_IFF[field]
            assert controller in condition and value in condition, field
        elif "only kept when" in condition or "excluded when" in condition:
            assert field in s.ONLY_WITH or field in s.DROPPED_WHEN, field
    for field, (controller, value) in s.REQUIRED_IFF.items():
        statement = _base()
        statement[controller] = [value] if controller in s.ARRAY_FIELDS else value
        statement.pop(field, None)
        assert "required_if" in _errors_on(statement, field)


def test_the_puid_pattern_is_the_references_with_its_end_anchor():
    assert s.PUID_PATTERN.pattern == RAW["fields"]["puid"]["pattern"]
    for good in ("a", "A-z_0-9", "idesk-812-review1-1", "_" * 500):
        assert not _errors_on(_with("puid", good), "puid")
    for bad in ("a b", "a.b", "ä", "a\n", "a/b", "a+b"):
        assert "pattern" in _errors_on(_with("puid", bad), "puid"), bad


def test_yes_no_fields_take_the_strings_only():
    for field in ("automated_detection", "incompatible_content_illegal"):
        for bad in (True, "yes", "true", 1):
            assert _errors_on(_with(field, bad), field) & {"enum", "type"}, (field, bad)


def test_territorial_scope_presets_are_eu27_and_the_eea():
    assert len(s.EU) == 27 and len(s.EEA) == 30
    assert set(s.EEA) - set(s.EU) == {"IS", "LI", "NO"}
    assert set(s.EEA) == s.ENUMS["territorial_scope"]


def test_server_fields_of_a_stored_statement_are_ignored_but_unknown_ones_are_not():
    statement = dict(_base(), uuid="0f0e", permalink="https://x.example/s/0f0e")
    assert validate_statement(statement) == []
    assert "unknown" in _errors_on(dict(_base(), content_language_other="xx"),
                                   "content_language_other")
