"""Checks of the desk's own data against the Commission's value lists (see ``dsa.schema``)."""

from __future__ import annotations

from integrity_desk.dsa.schema import ENUMS
from integrity_desk.errors import InvalidInput


def check_category(category: str, keywords: list[str]) -> None:
    """A guideline's DSA category and keywords must be values the Commission accepts."""
    if category not in ENUMS["category"]:
        raise InvalidInput(f"unknown DSA category {category!r}", field="dsa_category")
    unknown = sorted(set(keywords) - ENUMS["category_specification"])
    if unknown:
        raise InvalidInput(f"unknown DSA keywords {unknown}", field="dsa_keywords")
