"""Teams and vendors are found by name (filters, forms, the CLI), so a name is one thing:
unique whatever its case ("Atlas" and "atlas" would be told apart by nobody reading a list)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.errors import Conflict, InvalidInput

MAX_NAME = 120


def unique_name(session: Session, model: Any, name: str, *, what: str,
                other_than: int | None = None) -> str:
    """``name`` stripped, refused when empty, too long, or taken (in any case) by another row
    of ``model`` than ``other_than``."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(f"a {what} needs a name", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"at most {MAX_NAME} characters", field="name")
    clash = session.scalar(select(model.id).where(func.lower(model.name) == name.lower()))
    if clash is not None and clash != other_than:
        raise Conflict(f"a {what} named {name!r} exists", field="name")
    return name


def named(session: Session, model: Any, name: str, *, field: str) -> Any:
    """The team or vendor a form, a filter or a command names. An unknown name is input to
    correct (422 naming ``field``), not a missing page: one rule for every place that takes
    a team or vendor by name."""
    found = session.scalar(select(model).where(model.name == name))
    if found is None:
        raise InvalidInput(f"no {field} named {name!r}", field=field)
    return found
