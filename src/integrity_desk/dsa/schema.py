"""The Commission's statement-of-reasons format, loaded from the vendored ``sor_schema.json``.

One source of truth: the file is a copy of the reference the Commission's validator was read
from (``/work/shared/reference/dsa-sor-schema.json``); value lists, lengths, date ranges and the
``puid`` pattern are read from it here and nowhere typed out again, so updating the file is
all a schema change takes (a test keeps the copy equal to the reference).
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

_RAW: dict[str, Any] = json.loads(
    resources.files(__package__).joinpath("sor_schema.json").read_text(encoding="utf-8"))

FIELDS: dict[str, dict[str, Any]] = _RAW["fields"]
# Every field of the submission format, in the reference's order (CSV columns follow it).
FIELD_ORDER: tuple[str, ...] = tuple(FIELDS)
# Fields the Commission adds to what it stores; ignored when a stored statement is re-read.
SERVER_FIELDS: frozenset[str] = frozenset(_RAW["server_generated_response_fields"])

ENUMS: dict[str, frozenset[str]] = {
    name: frozenset(spec["enum"]) for name, spec in FIELDS.items() if "enum" in spec}
MAX_LENGTH: dict[str, int] = {
    name: spec["max_length"] for name, spec in FIELDS.items() if "max_length" in spec}
REQUIRED: tuple[str, ...] = tuple(name for name, spec in FIELDS.items() if spec["required"] is True)
DATE_FIELDS: tuple[str, ...] = tuple(
    name for name, spec in FIELDS.items() if spec["type"].startswith("date"))
DATE_MIN: dict[str, date] = {
    name: date.fromisoformat(FIELDS[name]["min"]) for name in DATE_FIELDS if "min" in FIELDS[name]}
DATE_MAX: dict[str, date] = {
    name: date.fromisoformat(FIELDS[name]["max"]) for name in DATE_FIELDS if "max" in FIELDS[name]}
ARRAY_FIELDS: tuple[str, ...] = tuple(
    name for name, spec in FIELDS.items() if spec["type"].startswith("array"))
NULLABLE: frozenset[str] = frozenset(
    name for name, spec in FIELDS.items() if "null" in spec["type"])

# The reference's pattern is PCRE with /D (``$`` only at the very end): fullmatch keeps that.
PUID_PATTERN = re.compile(FIELDS["puid"]["pattern"])
EAN_PATTERN = re.compile(FIELDS["content_id_ean"]["pattern"])

EU: tuple[str, ...] = tuple(FIELDS["territorial_scope"]["presets"]["EU"])
EEA: tuple[str, ...] = tuple(FIELDS["territorial_scope"]["presets"]["EEA"])

# Guidance only (the Commission does not validate keywords against the category).
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _RAW["category_to_keywords_guidance"].items() if not k.startswith("_")}


def _key(field: str, value: str) -> str:
    """A value named in code, checked against the schema when the module loads."""
    if value not in ENUMS[field]:
        raise RuntimeError(f"{value} is not a value of {field} in sor_schema.json")
    return value


# The values the desk's own rules refer to by name; everything else stays data.
GROUND_ILLEGAL = _key("decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT")
GROUND_INCOMPATIBLE = _key("decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT")
VISIBILITY_OTHER = _key("decision_visibility", "DECISION_VISIBILITY_OTHER")
MONETARY_OTHER = _key("decision_monetary", "DECISION_MONETARY_OTHER")
CONTENT_TYPE_OTHER = _key("content_type", "CONTENT_TYPE_OTHER")
CONTENT_TYPE_TEXT = _key("content_type", "CONTENT_TYPE_TEXT")
KEYWORD_OTHER = _key("category_specification", "KEYWORD_OTHER")
SOURCE_VOLUNTARY = _key("source_type", "SOURCE_VOLUNTARY")
SOURCE_TRUSTED_FLAGGER = _key("source_type", "SOURCE_TRUSTED_FLAGGER")
SOURCE_ARTICLE_16 = _key("source_type", "SOURCE_ARTICLE_16")
SOURCE_OTHER_NOTIFICATION = _key("source_type", "SOURCE_TYPE_OTHER_NOTIFICATION")
AUTOMATED_FULLY = _key("automated_decision", "AUTOMATED_DECISION_FULLY")
AUTOMATED_PARTIALLY = _key("automated_decision", "AUTOMATED_DECISION_PARTIALLY")
AUTOMATED_NOT = _key("automated_decision", "AUTOMATED_DECISION_NOT_AUTOMATED")
YES, NO = _key("automated_detection", "Yes"), _key("automated_detection", "No")

# The four kinds of restriction; a statement needs at least one (the validator's
# required_without_all), each with its end-date field.
DECISION_FIELDS: tuple[str, ...] = (
    "decision_visibility", "decision_monetary", "decision_provision", "decision_account")
END_DATE_OF: dict[str, str] = {
    "decision_visibility": "end_date_visibility_restriction",
    "decision_monetary": "end_date_monetary_restriction",
    "decision_provision": "end_date_service_restriction",
    "decision_account": "end_date_account_restriction",
}

# Free text the person deciding writes; every one is scrubbed of personal data before it leaves.
FREE_TEXT_FIELDS: tuple[str, ...] = (
    "decision_visibility_other", "decision_monetary_other", "content_type_other",
    "category_specification_other", "illegal_content_legal_ground",
    "illegal_content_explanation", "incompatible_content_ground",
    "incompatible_content_explanation", "decision_facts", "source_identity",
)

# Fields the Commission requires iff another field has a value, and drops otherwise
# (required_if / requiredIf + exclude_unless / excludeIf): field -> (controlling field, value).
REQUIRED_IFF: dict[str, tuple[str, str]] = {
    "decision_visibility_other": ("decision_visibility", VISIBILITY_OTHER),
    "decision_monetary_other": ("decision_monetary", MONETARY_OTHER),
    "content_type_other": ("content_type", CONTENT_TYPE_OTHER),
    "illegal_content_legal_ground": ("decision_ground", GROUND_ILLEGAL),
    "illegal_content_explanation": ("decision_ground", GROUND_ILLEGAL),
    "incompatible_content_ground": ("decision_ground", GROUND_INCOMPATIBLE),
    "incompatible_content_explanation": ("decision_ground", GROUND_INCOMPATIBLE),
}
# Optional fields the Commission keeps only when another field has a value.
ONLY_WITH: dict[str, tuple[str, str]] = {
    "incompatible_content_illegal": ("decision_ground", GROUND_INCOMPATIBLE),
    "category_specification_other": ("category_specification", KEYWORD_OTHER),
}
# Optional fields the Commission drops when another field has a value.
DROPPED_WHEN: dict[str, tuple[str, str]] = {
    "source_identity": ("source_type", SOURCE_VOLUNTARY),
}


@cache
def label(field: str, value: str) -> str:
    """The Commission's English label of a value (for people; the wire carries keys)."""
    return str(FIELDS[field].get("labels", {}).get(value, value))
