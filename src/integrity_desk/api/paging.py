"""Keyset paging by id, for lists that are read oldest first (timelines, linked requests)."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Path, Query
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")

# Row ids are 32-bit integer keys: a larger number names no row and must not reach the SQL.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
IdCursor = Annotated[int | None, Query(ge=0, le=MAX_ROW_ID, description="next_cursor of the "
                                                                        "page before")]


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
