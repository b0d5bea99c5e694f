"""SQLite units of work of one process take turns on a lock instead of polling the file."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from integrity_desk import db as db_module


def _sqlite_only(db) -> None:
    if db.dialect != "sqlite":
        pytest.skip("the turn-taking lock is SQLite's; PostgreSQL locks rows")


def test_a_unit_of_work_starts_as_soon_as_the_one_before_ends(db):
    _sqlite_only(db)
    order: list[str] = []
    first_began = threading.Event()

    def second() -> None:
        first_began.wait()
        with db.session() as s:
            s.execute(text("SELECT 1"))
            order.append("second began")

    thread = threading.Thread(target=second)
    thread.start()
    with db.session() as s:
        s.execute(text("SELECT 1"))
        first_began.set()
        time.sleep(0.2)  # the second waits for its turn meanwhile
        order.append("first ends")
    started = time.monotonic()
    thread.join(timeout=5)
    # Its turn came when the first committed, not after a busy-handler sleep.
    assert order == ["first ends", "second began"]
    assert time.monotonic() - started < 0.1


def test_a_turn_not_given_in_time_fails_as_the_file_lock_did(db, monkeypatch):
    _sqlite_only(db)
    monkeypatch.setattr(db_module, "SQLITE_TIMEOUT", 0.1)
    failed: list[Exception] = []

    def late() -> None:
        try:
            with db.session() as s:
                s.execute(text("SELECT 1"))
        except OperationalError as exc:
            failed.append(exc)

    with db.session() as s:
        s.execute(text("SELECT 1"))
        thread = threading.Thread(target=late)
        thread.start()
        thread.join(timeout=5)
    assert failed and "database is locked" in str(failed[0])
    with db.session() as s:  # and the lock was not left held
        assert s.scalar(text("SELECT 1")) == 1
