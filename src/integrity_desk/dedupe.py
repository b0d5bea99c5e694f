"""What the desk's reference receivers keep (``idesk webhooks receive``, ``python -m
integrity_desk.messages.sink``): each item once by its id, and every arrival with whether it
was a repeat — in SQLite, committed before the receiver answers, so a receiver killed and
restarted keeps counting. It is what a real receiver should do with the desk's at-least-once
delivery, and what the kill-and-restart tests read back to prove "never lost, never doubled".
"""

from __future__ import annotations

import sqlite3
import time


class DedupeStore:
    """``table`` holds each id once (``id_column`` and ``columns``); ``receipts`` every arrival."""

    def __init__(self, path: str | None, *, table: str, id_column: str,
                 columns: tuple[str, ...]) -> None:
        self.table, self.id_column, self.columns = table, id_column, columns
        self.db = sqlite3.connect(path or ":memory:", isolation_level=None,
                                  check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        names = ", ".join(f"{c} TEXT" for c in columns)
        self.db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({id_column} TEXT PRIMARY KEY, "
                        f"{names}, received_at REAL)")
        self.db.execute(f"CREATE TABLE IF NOT EXISTS receipts (id INTEGER PRIMARY KEY, "
                        f"{id_column} TEXT, received_at REAL, repeat INTEGER)")
        marks = ", ".join("?" * (len(columns) + 2))
        self._keep = f"INSERT OR IGNORE INTO {table} VALUES ({marks})"
        self._arrival = (f"INSERT INTO receipts ({id_column}, received_at, repeat) "
                         "VALUES (?, ?, ?)")

    def keep(self, item_id: str, *values: str) -> bool:
        """True for the first arrival of this id, False for a repeat."""
        now = time.time()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            fresh = self.db.execute(self._keep, (item_id, *values, now)).rowcount == 1
            self.db.execute(self._arrival, (item_id, now, 0 if fresh else 1))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return fresh
