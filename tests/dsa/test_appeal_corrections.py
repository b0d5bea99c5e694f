"""An overturned appeal corrects what the Transparency Database receives: notice → removal →
appeal → overturn → `idesk dsa submit` against the local contract server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.dsa.models import DsaStatement, DsaSubmissionLog
from integrity_desk.dsa.statement import next_version
from integrity_desk.messages.models import OutboxMessage
from tests import factories as f
from tests.conftest import Person
from tests.decisions.test_decisions_api import _claimed_flag, _decide
from tests.dsa.test_cli import _ok, run  # noqa: F401  (the CLI fixture)

API = "/api/v1"


def _appeal_decided(client: Any, contested: str, appellant: Person, outcome: str,
                    **over: Any) -> Any:
    r = client.post(f"{API}/cases", json=f.appeal(contested), headers=appellant.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=appellant.headers).status_code == 200
    r = client.post(f"{API}/cases/{key}/appeal-outcome", headers=appellant.headers,
                    json={"outcome": outcome, "reasoning": "The receipt is genuine.", **over})
    assert r.status_code == 201, r.text
    return key


def _removal(client: Any, specialist: Person) -> str:
    """A flag decided with the removal of its review r1: the statement is queued."""
    key = _claimed_flag(client, specialist)
    assert _decide(client, specialist, key, [
        {"action": "remove_review", "subject": "review:r1"}]).status_code == 201
    return key


def _rows(db: Database) -> list[tuple[str, str]]:
    with db.session() as s:
        return [(r.puid, r.status) for r in s.scalars(select(DsaStatement)
                                                      .order_by(DsaStatement.id))]


def test_overturned_before_submission_the_statement_is_never_sent(
        run, db: Database, tdb: Any, client: Any, specialist: Person,  # noqa: F811
        make_person: Callable[..., Person]) -> None:
    key = _removal(client, specialist)
    [(puid, status)] = _rows(db)
    assert status == "queued"
    _appeal_decided(client, key, make_person("specialist"), "overturned")
    assert _rows(db) == [(puid, "superseded")]
    _ok(run("submit"))
    assert tdb.stored == {}  # the Commission never hears of a removal that was undone
    with db.session() as s:
        [log] = s.scalars(select(DsaSubmissionLog).where(DsaSubmissionLog.action == "withdraw"))
    assert log.puids == [puid] and "internal complaint" in log.detail["reason"]


def test_overturned_after_submission_the_commission_gets_the_next_version(
        run, db: Database, tdb: Any, client: Any, specialist: Person,  # noqa: F811
        make_person: Callable[..., Person]) -> None:
    key = _removal(client, specialist)
    _ok(run("submit"))
    [puid] = list(tdb.stored)
    assert "end_date_visibility_restriction" not in tdb.stored[puid] or \
        tdb.stored[puid]["end_date_visibility_restriction"] is None
    _appeal_decided(client, key, make_person("specialist"), "overturned")
    _ok(run("submit"))
    assert sorted(tdb.stored) == sorted([puid, next_version(puid)])
    correction = tdb.stored[next_version(puid)]
    today = datetime.now(UTC).date().isoformat()
    assert correction["end_date_visibility_restriction"] == today
    assert correction["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert "reversed on an internal complaint" in correction["decision_facts"]
    assert "remove the review lifted" in correction["decision_facts"]
    assert _rows(db) == [(puid, "superseded"), (next_version(puid), "submitted")]
    # The appellant's letter names what changed.
    with db.session() as s:
        [letter] = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "appeal_outcome"))
    assert "What we changed: 1 measure lifted" in letter.body
    assert "  - remove the review (review:r1)" in letter.body


def test_partly_overturned_before_submission_only_what_stays_is_sent(
        run, db: Database, tdb: Any, client: Any, specialist: Person,  # noqa: F811
        make_person: Callable[..., Person]) -> None:
    key = _claimed_flag(client, specialist)
    decided = _decide(client, specialist, key, [
        {"action": "hide_pending_investigation", "subject": "review:r1", "duration_days": 14},
        {"action": "label_review", "subject": "review:r1", "label": "Disputed"}]).json()
    hide = next(a["id"] for a in decided["actions"]
                if a["action"] == "hide_pending_investigation")
    [(puid, _)] = _rows(db)
    _appeal_decided(client, key, make_person("specialist"), "partly_overturned",
                    reverse_action_ids=[hide])
    _ok(run("submit"))
    assert sorted(tdb.stored) == [next_version(puid)]
    sent = tdb.stored[next_version(puid)]
    assert sent["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_LABELLED"]
    assert _rows(db) == [(puid, "superseded"), (next_version(puid), "submitted")]


def test_an_upheld_appeal_leaves_the_statement_alone(
        run, db: Database, tdb: Any, client: Any, specialist: Person,  # noqa: F811
        make_person: Callable[..., Person]) -> None:
    key = _removal(client, specialist)
    [(puid, _)] = _rows(db)
    _appeal_decided(client, key, make_person("specialist"), "upheld")
    _ok(run("submit"))
    assert list(tdb.stored) == [puid]
