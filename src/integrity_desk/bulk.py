"""Many rows into one table at once: a multi-row INSERT, or COPY on PostgreSQL.

A 1,000-row ``INSERT … VALUES`` of the 43-column case table carries 43,000 bound parameters,
which psycopg splits and converts in Python and PostgreSQL parses one by one: ~0.4 s for a
batch of flags. COPY streams the same rows as text, formatted in C, in a fraction of that.
Where the insert needs ``ON CONFLICT`` or ``RETURNING`` (COPY has neither), the rows are copied
into a staging table private to the connection and moved with one ``INSERT … SELECT``.
SQLite keeps the multi-row INSERT: it runs in process and has no per-parameter protocol cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, MetaData, Row, Table, delete, select, text
from sqlalchemy.orm import Session

from integrity_desk.db import UPSERT_INSERT

# Below this many rows a multi-row INSERT costs less than COPY and its extra round trips.
COPY_MIN_ROWS = 64


class BulkInsert:
    """An insert of many rows of fixed columns, built once (its statements are cached).

    ``conflict`` names the unique index columns (and ``conflict_where`` its predicate) whose
    duplicates are skipped silently; ``returning`` names the columns to read back from the rows
    that went in — a skipped row returns nothing, so callers match rows by a key, not position.
    """

    def __init__(self, table: Table, columns: Sequence[str], *,
                 conflict: Sequence[str] = (), conflict_where: str | None = None,
                 returning: Sequence[str] = ()) -> None:
        assert len(columns) > 1, "one column: itemgetter would not give a tuple"
        self.table, self.columns = table, list(columns)
        self.staged, self.returns = bool(conflict or returning), bool(returning)
        self._values = {name: self._finish(make(table), conflict, conflict_where, returning)
                        for name, make in UPSERT_INSERT.items()}
        names = ", ".join(self.columns)
        self._stage = f"stage_{table.name}"
        self._create_stage = (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {self._stage} ON COMMIT DELETE ROWS "
            f"AS SELECT {names} FROM {table.name} WITH NO DATA")
        target = self._stage if self.staged else table.name
        self._copy = f"COPY {target} ({names}) FROM STDIN"
        stage = Table(self._stage, MetaData(),
                      *(Column(n, table.c[n].type) for n in self.columns))
        # The staging table empties itself as its rows move: it is reused by the next batch,
        # in this transaction or a later one.
        moved = delete(stage).returning(*stage.c).cte("moved")
        self._from_stage = self._finish(
            UPSERT_INSERT["postgresql"](table).from_select(
                # Columns left out take the database's defaults, as in COPY itself.
                self.columns, select(moved), include_defaults=False),
            conflict, conflict_where, returning)

    @staticmethod
    def _finish(statement: Any, conflict: Sequence[str], where: str | None,
                returning: Sequence[str]) -> Any:
        if conflict:
            statement = statement.on_conflict_do_nothing(
                index_elements=list(conflict), index_where=text(where) if where else None)
        if returning:
            statement = statement.returning(*(statement.table.c[n] for n in returning))
        return statement

    def execute(self, session: Session, rows: Sequence[dict[str, Any]]) -> list[Row[Any]]:
        """Insert the rows (dicts with exactly this insert's columns); the returned rows."""
        if not rows:
            return []
        dialect = session.get_bind().dialect
        if dialect.name != "postgresql" or len(rows) < COPY_MIN_ROWS:
            result = session.execute(self._values[dialect.name], list(rows))
            return list(result) if self.returns else []
        # Values go through the columns' own bind processing (JSON, UTC times), as in an INSERT.
        processed = [(i, process) for i, column in enumerate(self.columns)
                     if (process := self.table.c[column].type._cached_bind_processor(dialect))]
        values_of = itemgetter(*self.columns)
        connection = session.connection()
        if self.staged:
            connection.exec_driver_sql(self._create_stage)
        # COPY has no SQLAlchemy construct: it runs on the driver's cursor, in the same
        # transaction (and unseen by SQLAlchemy's statement events).
        cursor = connection.connection.driver_connection.cursor()
        try:
            with cursor.copy(self._copy) as copy:
                for row in rows:
                    values = list(values_of(row))
                    for i, process in processed:
                        values[i] = process(values[i])
                    copy.write_row(values)
        finally:
            cursor.close()
        if not self.staged:
            return []
        result = session.execute(self._from_stage)
        return list(result) if self.returns else []
