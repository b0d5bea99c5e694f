"""Reading the console's forms: one reader for every text field and one way to refuse one.

Every page reads its posted text through `text`: stripped, bounded, without NUL (PostgreSQL
cannot store it), required or not, and refused as a 422 page (or htmx alert) that names the
field in the form's words: "Reason: this field is required." The rules of what an action needs
(a reason, say) are the domain's (cases.domain.needs_a_reason); this module only reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from integrity_desk.web.errors import PageError

TITLE = "Check the form"


def label_of(field: str) -> str:
    """``merge_into`` → "Merge into": a field's name as the form's label reads."""
    return field.replace("_", " ").capitalize()


def refuse(field: str, message: str, *, label: str | None = None) -> PageError:
    return PageError(422, TITLE, f"{label or label_of(field)}: {message}")


def value(form: Mapping[str, Any], name: str) -> str:
    """A posted field as a string: its last value when repeated, "" when absent or a file."""
    raw = form.get(name, "")
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    return raw if isinstance(raw, str) else ""


def text(raw: str, field: str, *, required: bool = False, max_length: int = 5_000,
         min_length: int = 1, label: str | None = None) -> str:
    """The field's text, stripped; "" when left empty and not required."""
    raw = raw.strip()
    if "\x00" in raw:
        raise refuse(field, "contains a character the desk cannot store.", label=label)
    if len(raw) > max_length:
        raise refuse(field, f"at most {max_length:,} characters.", label=label)
    if not raw:
        if required:
            raise refuse(field, "this field is required.", label=label)
        return ""
    if len(raw) < min_length:
        raise refuse(field, f"at least {min_length} characters.", label=label)
    return raw
