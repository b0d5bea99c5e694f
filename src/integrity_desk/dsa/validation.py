"""The Commission's validator rules for a statement of reasons, and the desk's stricter ones.

The Commission's batch endpoint is all-or-nothing, so one statement it refuses holds back up to
99 others: the desk checks every statement before queuing it. Rules marked ``commission`` are
those of the Commission's validator (``GroupedSubmissionsService::multi_rules``, read into
``sor_schema.json``); rules marked ``desk`` are stricter where the Commission is lax and would
silently store something other than what the desk logged (dropped fields, unknown keys,
duplicates), or where its documentation asks more than its code checks (end dates on or after
the application date, a text for KEYWORD_OTHER, no personal data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from integrity_desk.dsa import schema as s
from integrity_desk.dsa.scrub import PLATFORM_PROFILE_HOSTS, has_personal_data

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class FieldError:
    """One broken rule: the wire field, a short rule code, and a sentence for a person."""

    field: str
    rule: str
    message: str
    authority: Literal["commission", "desk"] = "commission"

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def validate_statement(statement: Mapping[str, Any], *,
                       profile_hosts: tuple[str, ...] = PLATFORM_PROFILE_HOSTS
                       ) -> list[FieldError]:
    """Every rule ``statement`` breaks, in field order; an empty list means it may be sent."""
    errors: list[FieldError] = []

    def fail(field: str, rule: str, message: str, *, desk: bool = False) -> None:
        errors.append(FieldError(field, rule, message, "desk" if desk else "commission"))

    for key in statement:
        if key not in s.FIELDS and key not in s.SERVER_FIELDS:
            fail(key, "unknown", "is not a field of the statement format", desk=True)
    for field in s.REQUIRED:
        if not _present(statement.get(field)):
            fail(field, "required", "is required")
    if not any(_present(statement.get(f)) for f in s.DECISION_FIELDS):
        fail("decision_visibility", "one_decision",
             "at least one of decision_visibility, decision_monetary, decision_provision "
             "and decision_account is required")
    _conditional(statement, fail)
    for field in s.FIELD_ORDER:
        if field in statement:
            _check_value(field, statement[field], fail)
    _dates_in_order(statement, fail)
    _desk_rules(statement, fail, profile_hosts)
    order = {f: i for i, f in enumerate(s.FIELD_ORDER)}
    return sorted(errors, key=lambda e: order.get(e.field, len(order)))


def _present(value: Any) -> bool:
    """Laravel's "required": not null, not blank, not an empty array."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return True


def _has(statement: Mapping[str, Any], field: str, value: str) -> bool:
    current = statement.get(field)
    return value in current if isinstance(current, list) else current == value


def _conditional(statement: Mapping[str, Any], fail: Any) -> None:
    for field, (controller, value) in s.REQUIRED_IFF.items():
        if _has(statement, controller, value):
            if not _present(statement.get(field)):
                fail(field, "required_if", f"is required when {controller} is {value}")
        elif _present(statement.get(field)):
            fail(field, "excluded", f"is only kept when {controller} is {value}; the "
                 "Commission would drop it", desk=True)
    for field, (controller, value) in s.ONLY_WITH.items():
        if _present(statement.get(field)) and not _has(statement, controller, value):
            fail(field, "excluded", f"is only kept when {controller} is {value}; the "
                 "Commission would drop it", desk=True)
    for field, (controller, value) in s.DROPPED_WHEN.items():
        if _present(statement.get(field)) and _has(statement, controller, value):
            fail(field, "excluded", f"is dropped when {controller} is {value}", desk=True)


def _check_value(field: str, value: Any, fail: Any) -> None:
    spec = s.FIELDS[field]
    if value is None:
        if field in s.ARRAY_FIELDS and field not in s.NULLABLE and field not in s.REQUIRED:
            fail(field, "type", "must be an array, not null")
        return
    kind = spec["type"]
    if kind.startswith("array"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(field, "type", "must be an array of strings")
            return
        allowed = s.ENUMS.get(field)
        for item in value:
            if allowed is not None and item not in allowed:
                fail(field, "enum", f"{item!r} is not one of the allowed values")
        if len(set(value)) != len(value):
            fail(field, "distinct", "repeats a value (the Commission de-duplicates)", desk=True)
        return
    if kind.startswith("date"):
        _check_date(field, value, fail)
        return
    if kind.startswith("object"):
        _check_content_id(value, fail)
        return
    if not isinstance(value, str):
        fail(field, "type", "must be a string")
        return
    if _CONTROL.search(value):
        fail(field, "control_character", "holds control characters (PostgreSQL refuses NUL; "
             "none belongs in a statement)", desk=True)
    allowed = s.ENUMS.get(field)
    if allowed is not None and value not in allowed:
        fail(field, "enum", f"{value!r} is not one of the allowed values")
    limit = s.MAX_LENGTH.get(field)
    if limit is not None and len(value) > limit:
        fail(field, "max_length", f"is {len(value)} characters long; at most {limit}")
    if field == "puid" and not s.PUID_PATTERN.fullmatch(value):
        fail(field, "pattern", "may hold only letters, digits, '-' and '_'")
    if field == "content_id_ean" and not s.EAN_PATTERN.fullmatch(value):
        fail(field, "pattern", "must be 13 digits")
    if kind.startswith("string(url)") and not _is_url(value):
        fail(field, "url", "must be an http(s) URL")


def _check_date(field: str, value: Any, fail: Any) -> None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        fail(field, "date_format", "must be a date as YYYY-MM-DD")
        return
    try:
        day = date.fromisoformat(value)
    except ValueError:
        fail(field, "date_format", f"{value} is not a calendar date")
        return
    low, high = s.DATE_MIN.get(field), s.DATE_MAX.get(field)
    if low and day < low:
        fail(field, "date_min", f"must be on or after {low.isoformat()}")
    if high and day > high:
        fail(field, "date_max", f"must be on or before {high.isoformat()}")


def _check_content_id(value: Any, fail: Any) -> None:
    if not isinstance(value, dict) or set(value) - {"EAN-13"}:
        fail("content_id", "type", "must be an object whose only key is EAN-13")
        return
    ean = value.get("EAN-13")
    if ean is not None and not (isinstance(ean, str) and s.EAN_PATTERN.fullmatch(ean)):
        fail("content_id", "pattern", "EAN-13 must be 13 digits")


def _is_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def _day(value: Any) -> date | None:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _dates_in_order(statement: Mapping[str, Any], fail: Any) -> None:
    """The Commission's documentation (not yet its code): a restriction ends on or after the
    day it applies from."""
    applied = _day(statement.get("application_date"))
    if applied is None:
        return
    for end_field in s.END_DATE_OF.values():
        end = _day(statement.get(end_field))
        if end is not None and end < applied:
            fail(end_field, "date_order", "must be on or after application_date", desk=True)


def _desk_rules(statement: Mapping[str, Any], fail: Any, hosts: tuple[str, ...]) -> None:
    keywords = statement.get("category_specification")
    if (isinstance(keywords, list) and s.KEYWORD_OTHER in keywords
            and not _present(statement.get("category_specification_other"))):
        fail("category_specification_other", "required_if",
             f"is required when category_specification has {s.KEYWORD_OTHER}", desk=True)
    addition = statement.get("category_addition")
    if isinstance(addition, list) and statement.get("category") in addition:
        fail("category_addition", "distinct", "repeats category (the Commission drops it)",
             desk=True)
    for field in s.FREE_TEXT_FIELDS:
        value = statement.get(field)
        if isinstance(value, str) and has_personal_data(value, profile_hosts=hosts):
            fail(field, "personal_data", "holds an e-mail address, phone number or profile "
                 "link; statements must carry no personal data", desk=True)
