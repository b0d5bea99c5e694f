"""One request, one transaction: committed once after the answer is built, rolled back on error,
with only the request's own bookkeeping kept when it is refused (``integrity_desk.unit_of_work``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from integrity_desk.api.deps import SessionDep
from integrity_desk.db import Database
from integrity_desk.errors import Conflict
from integrity_desk.people.models import ApiToken, Team
from integrity_desk.unit_of_work import WRITE_REQUEST
from tests import factories as f
from tests import uow_guard

API = "/api/v1"


@pytest.fixture
def commits() -> Iterator[list[str]]:
    """The method of every request whose unit of work committed, in order."""
    seen: list[str] = []

    def note(session: Session) -> None:
        if WRITE_REQUEST in session.info:
            seen.append(session.info[WRITE_REQUEST])

    event.listen(Session, "after_commit", note)
    yield seen
    event.remove(Session, "after_commit", note)


def _teams(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(Team.name).order_by(Team.name)))


def _add_team(session: Session, name: str) -> None:
    session.add(Team(name=name, kind="internal"))
    session.flush()


def test_a_write_request_commits_once_after_its_answer(client: TestClient, manager: Any,
                                                       commits: list[str]) -> None:
    r = client.post(f"{API}/cases", json=f.flag(), headers=manager.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    commits.clear()
    r = client.post(f"{API}/cases/{key}/comments", json={"body": "seen"},
                    headers=manager.headers)
    assert r.status_code == 201, r.text
    assert commits == ["POST"]
    # The answer of a state change is built in the transaction that made it.
    r = client.post(f"{API}/cases/{key}/claim", headers=manager.headers)
    assert r.status_code == 200, r.text
    assert r.json()["assignee"]["email"] == manager.user.email
    assert commits == ["POST", "POST"]


def test_a_read_that_writes_nothing_does_not_commit(client: TestClient, manager: Any,
                                                    commits: list[str]) -> None:
    client.get(f"{API}/cases", headers=manager.headers)  # the token's use is noted once
    commits.clear()
    r = client.get(f"{API}/cases", headers=manager.headers)
    assert r.status_code == 200, r.text
    assert commits == []


def test_an_error_rolls_the_whole_request_back(app: Any, client: TestClient,
                                               db: Database) -> None:
    def half_then_refuse(session: SessionDep) -> None:
        _add_team(session, "Half written")
        raise Conflict("refused after a write")

    app.add_api_route("/test/half", half_then_refuse, methods=["POST"])
    r = client.post("/test/half")
    assert r.status_code == 409, r.text
    assert "Half written" not in _teams(db)


def test_a_failed_commit_answers_as_an_error(app: Any, client: TestClient,
                                             db: Database) -> None:
    def write(session: SessionDep) -> dict[str, str]:
        _add_team(session, "Never committed")
        return {"status": "recorded"}

    def refuse_commit(session: Session) -> None:
        if session.info.get(WRITE_REQUEST):
            raise RuntimeError("the server refused the COMMIT")

    app.add_api_route("/test/write", write, methods=["POST"])
    event.listen(Session, "before_commit", refuse_commit)
    try:
        r = client.post("/test/write")
    finally:
        event.remove(Session, "before_commit", refuse_commit)
    assert r.status_code == 500, r.text
    assert "recorded" not in r.text
    assert "Never committed" not in _teams(db)


def test_a_refused_request_still_records_the_tokens_use(client: TestClient, manager: Any,
                                                        db: Database) -> None:
    with db.session() as session:
        assert session.get(ApiToken, _token_id(session, manager)).last_used_at is None
    r = client.get(f"{API}/cases/FLG-999999", headers=manager.headers)
    assert r.status_code == 404, r.text
    with db.session() as session:
        assert session.get(ApiToken, _token_id(session, manager)).last_used_at is not None


def _token_id(session: Session, person: Any) -> int:
    return session.scalar(select(ApiToken.id).where(ApiToken.user_id == person.user.id))


def test_the_guard_fails_a_request_that_reads_after_committing(app: Any, client: TestClient,
                                                               db: Database) -> None:
    def commit_then_read(session: SessionDep) -> dict[str, int]:
        _add_team(session, "Committed early")
        session.commit()
        return {"teams": len(list(session.scalars(select(Team.id))))}

    app.add_api_route("/test/early", commit_then_read, methods=["POST"])
    r = client.post("/test/early")
    assert r.status_code == 200, r.text
    found, uow_guard.violations[:] = list(uow_guard.violations), []
    assert len(found) == 1 and found[0].startswith("POST request read after its COMMIT"), found


def test_a_read_keeps_what_it_added_even_unflushed(app: Any, client: TestClient,
                                                    db: Database) -> None:
    """A GET that writes commits it, though nothing was flushed before the answer."""
    def add_without_flush(session: SessionDep) -> dict[str, str]:
        session.add(Team(name="Pending at the end", kind="internal"))
        return {"status": "shown"}

    app.add_api_route("/test/pending", add_without_flush, methods=["GET"])
    r = client.get("/test/pending")
    assert r.status_code == 200, r.text
    assert "Pending at the end" in _teams(db)
