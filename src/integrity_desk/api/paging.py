"""Keyset paging by id, for lists that are read oldest first (timelines, linked requests)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")


def page_after_id(
    session: Session, query: Select[tuple[T]], id_column: InstrumentedAttribute[Any],
    *, cursor: int | None, limit: int,
) -> tuple[list[T], str | None]:
    """One page of rows with id > cursor, and the cursor of the next page (None at the end)."""
    if cursor:
        query = query.where(id_column > cursor)
    rows = list(session.scalars(query.order_by(id_column).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, str(getattr(rows[-1], id_column.key))
