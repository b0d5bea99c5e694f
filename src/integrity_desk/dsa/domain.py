"""The Commission's statement-of-reasons value lists, read from the vendored schema
(``sor_schema.json``, a copy of the Transparency Database's published validation rules)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from integrity_desk.errors import InvalidInput

SCHEMA_FILE = Path(__file__).with_name("sor_schema.json")


@cache
def schema_fields() -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())["fields"]
    return fields


def check_category(category: str, keywords: list[str]) -> None:
    """A guideline's DSA category and keywords must be values the Commission accepts."""
    fields = schema_fields()
    if category not in fields["category"]["enum"]:
        raise InvalidInput(f"unknown DSA category {category!r}", field="dsa_category")
    unknown = sorted(set(keywords) - set(fields["category_specification"]["enum"]))
    if unknown:
        raise InvalidInput(f"unknown DSA keywords {unknown}", field="dsa_keywords")
