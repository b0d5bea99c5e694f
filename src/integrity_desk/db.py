"""Engine, sessions and column types shared by every slice.

SQLite is the embedded default and PostgreSQL the production database; the same models and
migrations serve both, so the few differences (time zones, locking) are absorbed here.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (naive storage) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


# INSERT constructs with ON CONFLICT support, by dialect (both spell it the same way).
UPSERT_INSERT = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def upsert_insert(session: Session) -> Any:
    """The ON CONFLICT-capable INSERT of the session's database."""
    return UPSERT_INSERT[session.get_bind().dialect.name]


def is_sqlite_url(url: str) -> bool:
    return url.startswith("sqlite")


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


SQLITE_TIMEOUT = 30.0  # seconds a unit of work waits for its turn to write

# SQL functions every SQLite connection gets as it opens (PostgreSQL keeps its own in the
# schema). The slices that need one register it at start-up, so this module, which every slice
# imports, imports none of them: name -> (number of arguments, the function).
_sqlite_functions: dict[str, tuple[int, Callable[..., Any]]] = {}


def register_sqlite_function(name: str, nargs: int, function: Callable[..., Any]) -> None:
    """Give every SQLite connection opened from now on ``function`` as the deterministic SQL
    function ``name`` (registering the same name again replaces it: idempotent). Connections
    already open keep what they had, so ``integrity_desk.wiring.wire`` runs before the first."""
    _sqlite_functions[name] = (nargs, function)


class _TurnTakingConnection(sqlite3.Connection):
    """A SQLite connection whose transactions take turns on a lock of this process.

    Every unit of work begins IMMEDIATE, so SQLite runs them one at a time anyway; but a
    connection that finds the file locked polls for it with sleeps of 1 to 100 ms (SQLite's
    busy handler), so request threads waiting for their turn sat idle while the file was free
    (p99 0.5 s). Queued on a lock, the next transaction starts as the last one ends. Other
    processes still meet the file lock and its busy timeout.
    """

    _locks: ClassVar[dict[str, threading.Lock]] = {}

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._turn = self._locks.setdefault(str(database), threading.Lock())
        self._holding = False

    def take_turn(self) -> None:
        if not self._turn.acquire(timeout=SQLITE_TIMEOUT):
            raise sqlite3.OperationalError("database is locked")
        self._holding = True

    def end_turn(self) -> None:
        if self._holding:
            self._holding = False
            self._turn.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_turn()


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    serializer = {"json_serializer": lambda v: json.dumps(v, separators=(",", ":"), default=str)}
    if is_sqlite_url(url):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_TIMEOUT, "factory": _TurnTakingConnection},
            **serializer)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy emit BEGIN itself so that writes take the lock up front.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # The full-text index's triggers call one (see search.text and search.models).
            for name, (nargs, function) in _sqlite_functions.items():
                dbapi_connection.create_function(name, nargs, function, deterministic=True)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Every unit of work may write; IMMEDIATE avoids lock-upgrade deadlocks.
            dbapi_connection = conn.connection.driver_connection
            try:
                dbapi_connection.take_turn()
            except sqlite3.OperationalError as exc:  # as SQLite's own lock would have said it
                raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                dbapi_connection.end_turn()
                raise

        return engine
    return create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, **serializer
    )


class Database:
    """One engine and its session factory; the boundary (request, command, job) owns the commit."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, pool_size=pool_size)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on any error."""
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
