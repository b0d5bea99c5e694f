"""Misuse (DSA Art. 23): counters from manifest decisions, a warning first, then a suspension
that stops the person's notices or complaints (or their account)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.db import Database, utcnow
from integrity_desk.decisions.expiry import end_restrictions
from integrity_desk.misuse.domain import Bucket, Counter, next_measure
from integrity_desk.subjects.models import Reviewer
from tests import factories as f
from tests.conftest import Person
from tests.decisions.test_decisions_api import EU, _claimed_flag, _decide

API = "/api/v1"
NOTIFIER = "owner@shop.example.com"  # the reporter of tests.factories.flag


def _unfounded_flags(client: TestClient, person: Person, n: int) -> None:
    for i in range(n):
        key = _claimed_flag(client, person, f"m{i}")
        r = _decide(client, person, key, [], outcome="no_action", territorial_scope=[],
                    manifest=True)
        assert r.status_code == 201, r.text


def _impose(client: TestClient, person: Person, party_type: str, key: str,
            bucket: str) -> Any:
    return client.post(f"{API}/misuse/measures", headers=person.headers, json={
        "party_type": party_type, "party_key": key, "bucket": bucket,
        "reason": "Repeated, identical unfounded reports; no sign of good faith."})


def test_counters_and_the_line() -> None:
    assert Counter(Bucket.UNFOUNDED_NOTICES, 5, 10).crossed
    assert not Counter(Bucket.UNFOUNDED_NOTICES, 5, 11).crossed  # 45 % is under half
    assert not Counter(Bucket.UNFOUNDED_NOTICES, 4, 4).crossed  # too few, whatever the share
    assert Counter(Bucket.ILLEGAL_CONTENT, 3, 15).crossed
    assert Counter(Bucket.ILLEGAL_CONTENT, 0, 0).share == 0.0


def test_a_warning_comes_first() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert next_measure(None, now, new_misuse=0) == "warning"
    assert next_measure(now - timedelta(days=10), now, new_misuse=1) == "suspension"
    # Warned, but nothing new since: the items that earned the warning do not also suspend.
    assert next_measure(now - timedelta(days=10), now, new_misuse=0) is None
    assert next_measure(now - timedelta(days=400), now,
                        new_misuse=5) == "warning"  # an old warning lapsed


def test_a_notifier_of_manifestly_unfounded_notices_is_warned_then_suspended(
        client: TestClient, specialist: Person, manager: Person) -> None:
    _unfounded_flags(client, specialist, 4)
    r = _impose(client, manager, "notifier", NOTIFIER, "unfounded_notices")
    assert r.status_code == 409  # four are under the line of five
    fifth = _claimed_flag(client, specialist, "m9")
    _decide(client, specialist, fifth, [], outcome="no_action", territorial_scope=[],
            manifest=True)
    candidates = client.get(f"{API}/misuse/candidates", params={"bucket": "unfounded_notices"},
                            headers=manager.headers).json()
    assert [(c["party_key"], c["manifest"], c["total"], c["crossed"]) for c in candidates] == [
        (NOTIFIER, 5, 5, True)]
    first = _impose(client, manager, "notifier", NOTIFIER.upper(), "unfounded_notices")
    assert first.status_code == 201, first.text
    assert (first.json()["measure"], first.json()["ends_at"]) == ("warning", None)
    # Right after the warning nothing new has happened: no suspension (and no second warning).
    again = _impose(client, manager, "notifier", NOTIFIER, "unfounded_notices")
    assert again.status_code == 409 and again.json()["error"]["field"] == "party_key"
    assert "after the warning" in again.json()["error"]["message"]
    sixth = _claimed_flag(client, specialist, "m10")
    _decide(client, specialist, sixth, [], outcome="no_action", territorial_scope=[],
            manifest=True)
    second = _impose(client, manager, "notifier", NOTIFIER, "unfounded_notices").json()
    assert second["measure"] == "suspension" and second["ends_at"] is not None
    # While suspended, their legal notices are not processed.
    body = f.legal()
    body["sender"]["email"] = NOTIFIER
    r = client.post(f"{API}/cases", json=body, headers=specialist.headers)
    assert r.status_code == 403 and r.json()["error"]["field"] == "sender.email"
    party = client.get(f"{API}/misuse/parties/notifier/{NOTIFIER}",
                       headers=manager.headers).json()
    assert [m["measure"] for m in party["measures"]] == ["warning", "suspension"]
    listed = client.get(f"{API}/misuse/measures", params={"bucket": "unfounded_notices"},
                        headers=manager.headers).json()["items"]
    assert len(listed) == 2


def test_manifest_marks_only_what_article_23_counts(client: TestClient,
                                                    specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    r = _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:r1"}],
                manifest=True)  # incompatible with the terms, not illegal
    assert r.status_code == 422 and r.json()["error"]["field"] == "manifest"


def test_a_poster_of_manifestly_illegal_content_loses_the_account_after_a_warning(
        client: TestClient, db: Database, specialist: Person, manager: Person) -> None:
    for ref in ("h1", "h2", "h3"):
        key = _claimed_flag(client, specialist, ref, reviewer="troll")
        r = _decide(client, specialist, key,
                    [{"action": "remove_review", "subject": f"review:{ref}"}],
                    guideline="harmful_illegal", manifest=True, territorial_scope=EU)
        assert r.status_code == 201, r.text
    with db.session() as s:
        troll = s.scalars(select(Reviewer).where(Reviewer.ref == "troll")).one()
    party = client.get(f"{API}/misuse/parties/reviewer/{troll.id}",
                       headers=manager.headers).json()
    [counter] = party["counters"]
    assert (counter["manifest"], counter["total"], counter["crossed"]) == (3, 3, True)
    assert _impose(client, manager, "reviewer", str(troll.id),
                   "illegal_content").json()["measure"] == "warning"
    assert _impose(client, manager, "reviewer", str(troll.id),
                   "illegal_content").status_code == 409  # nothing posted since the warning
    key = _claimed_flag(client, specialist, "h4", reviewer="troll")
    _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:h4"}],
            guideline="harmful_illegal", manifest=True, territorial_scope=EU)
    assert _impose(client, manager, "reviewer", str(troll.id),
                   "illegal_content").json()["measure"] == "suspension"
    # The same items do not earn a second suspension either.
    assert _impose(client, manager, "reviewer", str(troll.id),
                   "illegal_content").status_code == 409
    with db.session() as s:
        assert s.get(Reviewer, troll.id).status == "suspended"
    with db.session() as s:  # 90 days on, the worker's job gives the account back
        assert end_restrictions(s, now=utcnow() + timedelta(days=91))[
            "misuse_suspensions"] == 1
    with db.session() as s:
        assert (s.get(Reviewer, troll.id).status,
                s.get(Reviewer, troll.id).suspended_until) == ("active", None)
    wrong = _impose(client, manager, "notifier", str(troll.id), "illegal_content")
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "bucket"


def test_manifestly_unfounded_complaints_stop_further_appeals(
        client: TestClient, specialist: Person, manager: Person,
        make_person: Callable[..., Person]) -> None:
    other = make_person("specialist")
    appellant = "rob@mail.example.com"  # the appellant of tests.factories.appeal
    def unfounded_appeal(ref: str) -> None:
        key = _claimed_flag(client, specialist, ref)
        _decide(client, specialist, key, [{"action": "remove_review", "subject": f"review:{ref}"}])
        r = client.post(f"{API}/cases", json=f.appeal(key), headers=other.headers)
        appeal = r.json()["case"]["key"]
        client.post(f"{API}/cases/{appeal}/claim", headers=other.headers)
        r = client.post(f"{API}/cases/{appeal}/appeal-outcome", headers=other.headers, json={
            "outcome": "upheld", "reasoning": "No new facts.", "manifestly_unfounded": True})
        assert r.status_code == 201, r.text

    for ref in ("c1", "c2", "c3"):
        unfounded_appeal(ref)
    assert _impose(client, manager, "notifier", appellant,
                   "unfounded_complaints").json()["measure"] == "warning"
    unfounded_appeal("c5")  # misuse after the warning
    assert _impose(client, manager, "notifier", appellant,
                   "unfounded_complaints").json()["measure"] == "suspension"
    key = _claimed_flag(client, specialist, "c4")
    _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:c4"}])
    r = client.post(f"{API}/cases", json=f.appeal(key), headers=other.headers)
    assert r.status_code == 403 and r.json()["error"]["field"] == "appellant.email"


def test_misuse_counts_each_item_not_each_decision(
        client: TestClient, db: Database, specialist: Person, manager: Person) -> None:
    """Three manifestly illegal reviews of one poster in one decision are three items."""
    body = f.investigation(reviews=[{"ref": ref, "reviewer_ref": "spammer",
                                     "business_domain": "shop.example.com"}
                                    for ref in ("i1", "i2", "i3")],
                           reviewer_refs=[])
    r = client.post(f"{API}/cases", json=body, headers=specialist.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=specialist.headers).status_code == 200
    actions = [{"action": "remove_review", "subject": f"review:{ref}"}
               for ref in ("i1", "i2", "i3")]
    r = _decide(client, specialist, key, actions, guideline="harmful_illegal", manifest=True,
                territorial_scope=EU)
    assert r.status_code == 201, r.text
    with db.session() as s:
        spammer = s.scalars(select(Reviewer).where(Reviewer.ref == "spammer")).one()
    party = client.get(f"{API}/misuse/parties/reviewer/{spammer.id}",
                       headers=manager.headers).json()
    [counter] = party["counters"]
    # Three reviews are three items (once one), and cross the line.
    assert (counter["manifest"], counter["total"], counter["crossed"]) == (3, 3, True)


def test_each_notice_joined_to_an_unfounded_case_counts(
        client: TestClient, specialist: Person, manager: Person) -> None:
    """The same sender's second flag on one review joins its case; both notices count."""
    key = _claimed_flag(client, specialist, "j1")
    joined = client.post(f"{API}/cases", json=f.flag("j1"), headers=specialist.headers)
    assert joined.status_code == 200 and joined.json()["case"]["key"] == key, joined.text
    r = _decide(client, specialist, key, [], outcome="no_action", territorial_scope=[],
                manifest=True)
    assert r.status_code == 201, r.text
    party = client.get(f"{API}/misuse/parties/notifier/{NOTIFIER}",
                       headers=manager.headers).json()
    [notices, _complaints] = party["counters"]
    assert (notices["bucket"], notices["manifest"], notices["total"]) == (
        "unfounded_notices", 2, 2)
