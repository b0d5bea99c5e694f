"""The text a person types, as every schema reads it: one rule for the API and the console.

A reason, a comment or a name is stripped of surrounding white space before its bounds are
checked (so "   " is no reason at all), and may not hold NUL (PostgreSQL text cannot store
it: refused naming the field, not as a database error). The API's bodies declare their text
fields with these types; the console reads its forms into the same schemas
(``web.forms.checked``), so a rule such as "a reason is at most 5,000 characters" lives once.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^\x00]*$")]
"""Stripped text without NUL; bound it with ``Field(min_length=…, max_length=…)``."""


def blank_is_none(value: Any) -> Any:
    """An optional field left empty (or only white space) is absent, not an empty string."""
    return None if isinstance(value, str) and not value.strip() else value


Why = Annotated[Text, StringConstraints(min_length=1, max_length=5_000)]
"""A reason given for an action: required where it is declared without a default."""
MaybeWhy = Annotated[Why | None, BeforeValidator(blank_is_none)]
"""A reason that may be left out; empty counts as left out."""
