"""Reading the console's forms: into the API's schemas, and one way to refuse a field.

A form that posts what an API body holds is read with `checked`: the form's values go through
the slice's schema (`<slice>/schemas.py`), the same rules as the API (a reason is stripped,
at most 5,000 characters, without NUL: ``integrity_desk.fields``), and the first complaint
comes back as a 422 page (or htmx alert) naming the field in the form's words: "Reason: this
field is required." Fields no API body holds (a filter, a choice from a list) are read with
`text`, which applies the same rules by hand. What an action needs (a reason, say) is the
domain's rule (``cases.domain.needs_a_reason``); this module only reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from integrity_desk.fields import Text
from integrity_desk.web.errors import PageError

TITLE = "Check the form"
M = TypeVar("M", bound=BaseModel)
NO_NUL = Text.__metadata__[0].pattern  # type: ignore[attr-defined]


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


def _in_words(error: ErrorDetails) -> str:
    """A schema's complaint as the console says it (and as `text` says the same thing)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "this field is required."
    if kind == "string_too_short":
        return f"at least {ctx['min_length']} characters."
    if kind == "string_too_long":
        return f"at most {ctx['max_length']:,} characters."
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == NO_NUL:
        return "contains a character the desk cannot store."
    message = str(error.get("msg") or "not accepted")
    return message[:1].lower() + message[1:] + ("" if message.endswith(".") else ".")


def checked(schema: type[M], values: Mapping[str, Any], *,
            labels: Mapping[str, str] | None = None,
            label: Callable[[str], str] = label_of) -> M:
    """The form's values read into the API's schema; its first complaint refused as a 422 that
    names the field by ``labels`` (the form's words), else by ``label``."""
    try:
        return schema.model_validate(dict(values))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = list(first.get("loc", ()))
        while where and isinstance(where[-1], int):  # "areas.2" is the field "areas"
            where.pop()
        field = ".".join(str(part) for part in where) or "form"
        shown = (labels or {}).get(field) or label(field)
        raise refuse(field, _in_words(first), label=shown) from exc
