"""Every storage test runs twice: on SQLite and on a real PostgreSQL server.

PostgreSQL comes from IDESK_TEST_PG_URL (default: the local server, trust auth); each pytest
worker gets a database of its own, created here. Tables are emptied between tests.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, text

from integrity_desk.api.app import create_app
from integrity_desk.audit.service import SYSTEM
from integrity_desk.bootstrap import ensure_defaults
from integrity_desk.db import Database
from integrity_desk.migrate import migrate
from integrity_desk.models import Base
from integrity_desk.people import passwords
from integrity_desk.people.models import Team, User
from integrity_desk.people.passwords import hash_password
from integrity_desk.people.service import create_token, create_user
from integrity_desk.settings import Settings
from integrity_desk.wiring import wire
from tests import uow_guard
from tests.smtp_sink import Inbox, free_port

# The tests are an entry point like the server: wired once, before any fixture opens a database.
wire()
uow_guard.install()

PG_ADMIN_URL = os.environ.get("IDESK_TEST_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]
# Tables whose triggers refuse UPDATE and DELETE (see _empty_append_only).
APPEND_ONLY = ("dsa_submission_log", "evidence_snapshots")


# Databases are named after the checkout too, so two checkouts on one machine (worktrees, CI
# beside a developer) never drop each other's databases mid-run.
CHECKOUT = hashlib.sha1(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:8]


def _pg_database(worker: str) -> str:
    name = f"idesk_test_{CHECKOUT}_{worker}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(url: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def blank_db(request: pytest.FixtureRequest, tmp_path: Path, worker_id: str) -> Iterator[
        Database]:
    """A database with no schema yet, on each backend, dropped afterwards: for the tests of
    migrations themselves (the shared `db` is migrated once per session)."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'blank.db'}")
        yield db
        db.dispose()
        return
    db = Database(_pg_database(f"{worker_id}_blank"))
    yield db
    db.dispose()
    _drop_pg_database(db.url)


@pytest.fixture(scope="session", autouse=True)
def _cheap_argon2() -> Iterator[None]:
    """argon2 with its production cost (64 MiB, 3 passes) takes ~0.3 s a hash on the test
    machine; tests sign in hundreds of times, so they hash with the cheapest argon2id.
    tests/people/test_passwords.py checks the production parameters themselves."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                           parallelism=1))
        passwords._dummy_hash.cache_clear()
        yield
    passwords._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def _databases(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[
        dict[str, Database]]:
    sqlite = Database(f"sqlite:///{tmp_path_factory.mktemp('db') / 'desk.db'}")
    postgres = Database(_pg_database(worker_id), pool_size=40)
    for db in (sqlite, postgres):
        migrate(db)
    yield {"sqlite": sqlite, "postgresql": postgres}
    for db in (sqlite, postgres):
        db.dispose()


def _empty(db: Database) -> None:
    # config_state keeps counting across tests: a reset would let a process-wide cached
    # configuration snapshot of an earlier test look current.
    # On PostgreSQL, DELETE and a reset of every sequence take ~18 ms where TRUNCATE (a new
    # file for each of ~40 tables and their indexes) took ~170 ms: a minute of every run.
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name != "config_state"]
    with db.engine.begin() as conn:
        _empty_append_only(conn, db.dialect)
        if db.dialect == "postgresql":
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
            conn.execute(text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE c.relkind = 'S' "
                "AND n.nspname = current_schema()"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
            conn.execute(text("DELETE FROM sqlite_sequence")) if conn.execute(text(
                "SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() else None


def _empty_append_only(conn: Connection, dialect: str) -> None:
    """The submission log (migration 0024) and the evidence snapshots (0045) refuse DELETE;
    between tests their triggers step aside for the one DELETE, in the same transaction, and
    only when they hold rows."""
    for table in APPEND_ONLY:
        if conn.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first() is None:
            continue
        if dialect == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            conn.execute(text(f"DELETE FROM {table}"))
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            continue
        triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = "
                                     "'trigger' AND tbl_name = :t"), {"t": table}).all()
        for name, _ in triggers:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        conn.execute(text(f"DELETE FROM {table}"))
        for _, sql in triggers:
            conn.execute(text(sql))


@pytest.fixture(autouse=True)
def _no_read_after_commit() -> Iterator[None]:
    """Fail the test if any request it made read after its unit of work committed."""
    uow_guard.violations.clear()
    yield
    found, uow_guard.violations[:] = list(uow_guard.violations), []
    assert not found, "\n".join(found)


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, _databases: dict[str, Database]) -> Database:
    database = _databases[request.param]
    _empty(database)
    with database.session() as session:
        ensure_defaults(session)
    return database


@pytest.fixture
def settings() -> Settings:
    return Settings(secret_key="test-secret")


@pytest.fixture
def app(db: Database, settings: Settings) -> Any:
    return create_app(db, settings)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@dataclass
class Person:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_team(db: Database) -> Callable[..., Team]:
    def make(name: str, kind: str = "internal") -> Team:
        with db.session() as session:
            team = Team(name=name, kind=kind)
            session.add(team)
        return team

    return make


@pytest.fixture
def make_person(db: Database) -> Callable[..., Person]:
    counter = iter(range(1, 10_000))

    def make(role: str = "specialist", *, team: Team | None = None,
             languages: list[str] | None = None, scopes: list[str] | None = None,
             max_tier: int | None = None, email: str | None = None) -> Person:
        with db.session() as session:
            user = create_user(
                session, email=email or f"{role}{next(counter)}@desk.example.com",
                name=f"{role.title()} Person", role=role, team=team, languages=languages,
                max_tier=max_tier, actor=SYSTEM)
            issued = create_token(session, user=user, scopes=scopes or ["read", "write", "admin"],
                                  actor=SYSTEM)
        return Person(user, issued.secret)

    return make


@pytest.fixture
def manager(make_person: Callable[..., Person]) -> Person:
    return make_person("manager")


@pytest.fixture
def specialist(make_person: Callable[..., Person]) -> Person:
    return make_person("specialist")


PASSWORD = "violet-harbour-engine-42"


@dataclass
class Browser:
    """A browser signed in through the login form: its own cookie jar, and its page's CSRF token."""

    client: TestClient
    csrf: str


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


@pytest.fixture
def sign_in(app: Any, db: Database) -> Iterator[Callable[..., Browser]]:
    """Give a person a password and sign them in through GET and POST /login."""
    clients: list[TestClient] = []

    def login(person: Person, password: str = PASSWORD) -> Browser:
        with db.session() as session:
            session.get(User, person.user.id).password_hash = hash_password(password)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        token = form_token(client.get("/login").text)
        r = client.post("/login", data={"email": person.user.email, "password": password,
                                        "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303, r.text
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text)
        assert meta
        return Browser(client, meta.group(1))

    yield login
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server on a free port that keeps what it accepts (tests/smtp_sink.py)."""
    box = Inbox(free_port())
    box.start()
    yield box
    box.stop()
