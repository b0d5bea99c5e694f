"""What a queue requires (its skills, the certifications its routing settings name) holds on
every path that gives a person work: the pull claim, claim-next-of-mine, claiming or being
assigned a case, and the assign picker. Everyone is held to it, managers too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, update

from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case
from integrity_desk.configuration.service import desk_config
from integrity_desk.db import Database, utcnow
from integrity_desk.errors import Forbidden
from integrity_desk.people import certifications
from integrity_desk.people.models import Certification, User
from integrity_desk.routing.eligible import eligible_assignees
from integrity_desk.routing.models import Queue
from integrity_desk.routing.policy import Lapse, Requirements, Standing, unmet
from integrity_desk.routing.service import claim_next, claim_next_of_mine
from integrity_desk.routing.settings import change_routing_settings
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"
MAY = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("requires", "brings", "reason"), [
    (Requirements("trust"), Standing((), ()), None),
    (Requirements("trust", skills=("fraud",)), Standing(("fraud", "de"), ()), None),
    (Requirements("trust", skills=("fraud",)), Standing(("de",), ()),
     "the queue trust requires the skill fraud, which you do not have"),
    (Requirements("trust", certifications=("dsa-legal",)), Standing((), ("dsa-legal",)), None),
    (Requirements("trust", certifications=("dsa-legal",)), Standing((), ()),
     "the queue trust requires the certification dsa-legal, which you do not hold"),
    (Requirements("trust", certifications=("dsa-legal",)),
     Standing((), (), {"dsa-legal": Lapse(expired_at=MAY)}),
     "the queue trust requires the certification dsa-legal, which you do not hold "
     "(it expired on 2026-05-04)"),
    (Requirements("trust", certifications=("dsa-legal",)),
     Standing((), (), {"dsa-legal": Lapse(revoked_at=MAY)}),
     "the queue trust requires the certification dsa-legal, which you do not hold "
     "(it was revoked on 2026-05-04)"),
    # Skills are asked first, then certifications, each in the queue's order.
    (Requirements("trust", skills=("fraud",), certifications=("dsa-legal",)),
     Standing((), ()), "the queue trust requires the skill fraud, which you do not have"),
    (Requirements("trust", skills=("fraud",), certifications=("dsa-legal",)),
     Standing(("fraud",), ("dsa-legal",)), None),
])
def test_each_requirement_on_and_off(requires: Requirements, brings: Standing,
                                     reason: str | None) -> None:
    assert unmet(requires, brings) == reason


def test_giving_work_to_someone_names_them() -> None:
    assert unmet(Requirements("trust", skills=("fraud",)), Standing((), ()),
                 who="Sam Lee") == "the queue trust requires the skill fraud, which Sam Lee " \
                                   "does not have"


def _require(db: Database, *, certs: list[str] | None = None,
             skills: list[str] | None = None, slug: str = "flags") -> None:
    with db.session() as s:
        if certs is not None:
            change_routing_settings(s, actor=SYSTEM, slug=slug,
                                    changes={"required_certifications": certs},
                                    note="DSA legal training first")
        if skills is not None:
            s.execute(update(Queue).where(Queue.slug == slug).values(skills=skills))


def _grant(db: Database, person: Person, name: str = "dsa-legal", **kw: Any) -> None:
    with db.session() as s:
        certifications.grant(s, user=s.get(User, person.user.id), name=name, source="manager",
                             actor=SYSTEM, now=kw.pop("now", utcnow()), **kw)


def _skills(db: Database, person: Person, skills: list[str]) -> None:
    with db.session() as s:
        s.execute(update(User).where(User.id == person.user.id).values(skills=skills))


def _flag(client: Any, person: Person, ref: str = "r1") -> str:
    r = client.post(f"{API}/cases", json=f.flag(ref), headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["case"]["key"]


def _claim(client: Any, person: Person) -> Any:
    return client.post(f"{API}/queues/flags/claim", headers=person.headers)


def test_the_claim_is_refused_without_the_certification_and_allowed_with_it(
        client: Any, db: Database, make_person: Callable[..., Person]) -> None:
    ana = make_person("specialist")
    key = _flag(client, ana)
    _require(db, certs=["dsa-legal"])
    r = _claim(client, ana)
    assert r.status_code == 403
    assert r.json()["error"]["message"] == (
        "the queue flags requires the certification dsa-legal, which you do not hold")
    # The per-case claim asks the same rule.
    r = client.post(f"{API}/cases/{key}/claim", headers=ana.headers)
    assert r.status_code == 403 and "dsa-legal" in r.json()["error"]["message"]
    _grant(db, ana)
    assert _claim(client, ana).json()["case"] == key


def test_managers_are_held_to_the_requirements_too(
        client: Any, db: Database, manager: Person) -> None:
    _flag(client, manager)
    _require(db, skills=["fraud"])
    r = _claim(client, manager)
    assert r.status_code == 403
    assert r.json()["error"]["message"] == (
        "the queue flags requires the skill fraud, which you do not have")
    _skills(db, manager, ["fraud", "de"])
    assert _claim(client, manager).json()["case"]


@pytest.mark.parametrize("lapse", ["expired", "revoked"])
def test_a_lapsed_certification_no_longer_counts(
        db: Database, make_person: Callable[..., Person], lapse: str) -> None:
    ana = make_person("specialist")
    _require(db, certs=["dsa-legal"])
    now = utcnow()
    with db.session() as s:
        user = s.get(User, ana.user.id)
        certifications.grant(s, user=user, name="dsa-legal", source="manager", actor=SYSTEM,
                             now=now - timedelta(days=30), expires_at=now - timedelta(days=1)
                             if lapse == "expired" else None)
        if lapse == "revoked":
            certifications.revoke(s, user=user, name="dsa-legal", reason="failed the audit",
                                  actor=SYSTEM, now=now - timedelta(hours=1))
    with db.session() as s:
        queue = s.scalar(select(Queue).where(Queue.slug == "flags"))
        with pytest.raises(Forbidden) as refused:
            claim_next(s, user=s.get(User, ana.user.id), queue=queue, now=now)
    when = (now - (timedelta(days=1) if lapse == "expired" else timedelta(hours=1)))
    said = "it expired on" if lapse == "expired" else "it was revoked on"
    assert refused.value.message.endswith(f"({said} {when:%Y-%m-%d})")


def test_claim_next_of_mine_skips_queues_the_person_does_not_qualify_for(
        client: Any, db: Database, make_person: Callable[..., Person]) -> None:
    ana = make_person("specialist")
    _flag(client, ana)
    _require(db, certs=["dsa-legal"])
    with db.session() as s:
        assert claim_next_of_mine(s, user=s.get(User, ana.user.id), actor=SYSTEM,
                                  now=utcnow()) is None
    _grant(db, ana)
    with db.session() as s:
        assert claim_next_of_mine(s, user=s.get(User, ana.user.id), actor=SYSTEM,
                                  now=utcnow()) is not None


def test_assigning_and_the_assign_picker_follow_the_same_rule(
        client: Any, db: Database, manager: Person, make_person: Callable[..., Person]) -> None:
    ana, ben = make_person("specialist"), make_person("specialist")
    key = _flag(client, manager)
    _require(db, certs=["dsa-legal"], skills=["fraud"])
    _skills(db, ana, ["fraud"])
    _skills(db, ben, ["fraud"])
    _grant(db, ben)
    r = client.post(f"{API}/cases/{key}/assign", json={"assignee": ana.user.email},
                    headers=manager.headers)
    assert r.status_code == 403
    assert r.json()["error"]["message"] == (
        f"the queue flags requires the certification dsa-legal, which {ana.user.name} "
        "does not hold")
    with db.session() as s:
        case = s.get(Case, int(key.split("-")[1]))
        assert [u.id for u in eligible_assignees(s, case)] == [ben.user.id]
    r = client.post(f"{API}/cases/{key}/assign", json={"assignee": ben.user.email},
                    headers=manager.headers)
    assert r.status_code == 200, r.text


def test_a_certification_granted_in_the_future_is_not_held_yet(
        db: Database, make_person: Callable[..., Person]) -> None:
    ana = make_person("specialist")
    with db.session() as s:
        s.add(Certification(user_id=ana.user.id, name="dsa-legal", source="manager",
                            granted_at=utcnow() + timedelta(days=1)))
    with db.session() as s:
        assert certifications.held_names(s, ana.user.id, utcnow()) == set()


def test_the_claim_reads_certifications_only_when_the_queue_requires_any(
        client: Any, db: Database, make_person: Callable[..., Person]) -> None:
    """The claim stays one UPDATE: the requirement is asked from the cached snapshot, and the
    person's certifications are read (once) only for a queue that requires one."""
    ana = make_person("specialist")
    _flag(client, ana, "r1")
    _flag(client, ana, "r2")
    _grant(db, ana)
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    for certs, reads in (([], 0), (["dsa-legal"], 1)):
        if certs:
            _require(db, certs=certs)
        with db.session() as s:
            queue = desk_config(s).queues.by_slug["flags"]
            user = s.get(User, ana.user.id)
            seen.clear()
            event.listen(db.engine, "before_cursor_execute", note)
            try:
                assert claim_next(s, user=user, queue=queue, now=utcnow()) is not None
            finally:
                event.remove(db.engine, "before_cursor_execute", note)
        assert sum("certifications" in q for q in seen) == reads, seen


def test_a_lead_without_the_certification_assigns_from_the_case_page(
        client: Any, db: Database, manager: Person, make_person: Callable[..., Person],
        sign_in: Any) -> None:
    ben = make_person("specialist")
    key = _flag(client, manager)
    _require(db, certs=["dsa-legal"])
    _grant(db, ben)
    browser = sign_in(manager)
    page = browser.client.get(f"/cases/{key}")
    assert page.status_code == 200
    assert "You may still give it to someone who may." in page.text
    assert 'name="assignee"' in page.text and ben.user.name in page.text
    assert "data-key-label=\"Claim this case\"" not in page.text  # no claim: not certified
    given = browser.client.post(f"/cases/{key}/assign", data={
        "csrf_token": browser.csrf, "assignee": str(ben.user.id)})
    assert given.status_code == 200, given.text
    with db.session() as s:
        assert s.get(Case, int(key.split("-")[1])).assignee_id == ben.user.id
