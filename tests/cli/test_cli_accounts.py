"""`idesk user reset-password | deactivate | reactivate` and `idesk token list | revoke`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.db import Database
from integrity_desk.people.models import ApiToken, User
from integrity_desk.people.passwords import verify_password
from tests.cli.conftest import Run

EMAIL = "sam@desk.example.com"



@pytest.fixture
def db(url: str, run: Run) -> Iterator[Database]:  # a migrated SQLite file with one user
    assert run("migrate").exit_code == 0
    made = run("user", "create", EMAIL, "--name", "Sam Sample", "--role", "specialist",
               "--password", "violet-harbour-engine-42")
    assert made.exit_code == 0, made.output
    database = Database(url)
    yield database
    database.dispose()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _user(db: Database) -> User:
    with db.session() as s:
        return s.scalar(select(User).where(User.email == EMAIL))


def _kinds(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent.kind).where(AuditEvent.chain_key == "people")
                              .order_by(AuditEvent.id)))


def test_reset_password_from_an_option_or_a_hidden_prompt(run: Run, db: Database) -> None:
    out = run("user", "reset-password", EMAIL, "--password", "amber-lantern-river-77")
    assert out.exit_code == 0, out.output
    assert "0 session(s) ended" in out.output
    assert verify_password(_user(db).password_hash, "amber-lantern-river-77")
    prompted = run("user", "reset-password", EMAIL,
                   input="copper-meadow-signal-5\ncopper-meadow-signal-5\n")
    assert prompted.exit_code == 0, prompted.output
    assert "copper-meadow-signal-5" not in prompted.output  # typed, not echoed
    assert verify_password(_user(db).password_hash, "copper-meadow-signal-5")
    assert _kinds(db).count("user.password_reset") == 2


def test_reset_password_refuses_weak_passwords_and_unknown_people(run: Run, db: Database
                                                                  ) -> None:
    weak = run("user", "reset-password", EMAIL, "--password", "password1234")
    assert weak.exit_code == 2 and "password: this is one of the most common" in _one_line(
        weak.output)
    unknown = run("user", "reset-password", "nobody@desk.example.com", "--password",
                  "amber-lantern-river-77")
    assert unknown.exit_code == 2 and "email: no user" in _one_line(unknown.output)


def test_deactivate_and_reactivate(run: Run, db: Database) -> None:
    out = run("user", "deactivate", EMAIL)
    assert out.exit_code == 0 and "deactivated" in out.output
    assert _user(db).active is False
    again = run("user", "deactivate", EMAIL)
    assert again.exit_code == 2 and "active:" in _one_line(again.output)
    assert run("user", "reactivate", EMAIL).exit_code == 0
    assert _user(db).active is True
    assert _kinds(db)[-2:] == ["user.deactivated", "user.reactivated"]


def test_token_list_shows_prefixes_never_secrets_and_revoke_works(run: Run, db: Database
                                                                  ) -> None:
    secret = run("token", "create", EMAIL, "--name", "laptop").stdout.strip()
    listed = run("token", "list", EMAIL)
    assert listed.exit_code == 0, listed.output
    assert secret not in listed.stdout and secret[:10] in listed.stdout
    assert "laptop" in listed.stdout and "active" in listed.stdout
    with db.session() as s:
        token_id = s.scalar(select(ApiToken.id))
    revoked = run("token", "revoke", str(token_id))
    assert revoked.exit_code == 0 and f"token #{token_id} of {EMAIL} revoked" in _one_line(
        revoked.output)
    assert "revoked" in run("token", "list", EMAIL).stdout
    missing = run("token", "revoke", "999999")
    assert missing.exit_code == 2 and "token_id: no token #999999" in _one_line(missing.output)
    assert "token.revoked" in _kinds(db)
