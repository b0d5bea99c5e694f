"""The harm shield on SQLite and PostgreSQL: what intake stores, the recorded reveal, the count
per person and day, and the daily cap that claims, assignments and routing respect."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.errors import Forbidden, InvalidInput
from integrity_desk.people.models import User
from integrity_desk.people.service import actor_of
from integrity_desk.routing.service import claim_next_of_mine
from integrity_desk.subjects.models import Review
from integrity_desk.triage.domain import HARM_CAP_FACTOR
from integrity_desk.triage.models import TriageRule
from integrity_desk.wellbeing import service as wellbeing
from integrity_desk.wellbeing.domain import Item
from tests import factories as f

THREAT = "The owner is a crook and I know where he lives. I will kill you, Marco."
SLUR = "Rude staff, the waiter was a faggot."


def _flag(client, person, ref: str, text: str, **over) -> str:
    body = f.flag(ref=ref, **over)
    body["review"] = {**body["review"], "text": text}
    r = client.post("/api/v1/cases", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["case"]["key"]


def _case(session, key: str) -> Case:
    return session.get(Case, int(key.split("-")[1]))


def _cap(session, items: int) -> None:
    session.add(TriageRule(name="harm-cap", factor=HARM_CAP_FACTOR, params={"items": items},
                           position=99))


def test_intake_stores_what_is_harmful_on_the_review_and_the_case(client, db, specialist):
    harmful = _flag(client, specialist, "r1", THREAT)
    plain = _flag(client, specialist, "r2", "Lovely hotel, friendly staff.")
    own_words = _flag(client, specialist, "r3", "Fine.", title="Nazi scum, heil hitler")
    with db.session() as s:
        assert s.scalar(select(Review.harm).where(Review.ref == "r1")) == "threat"
        assert s.scalar(select(Review.harm).where(Review.ref == "r2")) is None
        assert (_case(s, harmful).harm, _case(s, harmful).text_harm) == ("threat", None)
        assert (_case(s, plain).harm, _case(s, plain).text_harm) == (None, None)
        assert (_case(s, own_words).harm, _case(s, own_words).text_harm) == ("hate", "hate")


def test_a_reveal_is_recorded_and_counted_once_a_day(client, db, specialist):
    key = _flag(client, specialist, "r1", THREAT)
    now = utcnow()
    with db.session() as s:
        case, user = _case(s, key), s.get(User, specialist.user.id)
        review_id = s.scalar(select(Review.id).where(Review.ref == "r1"))
        for _ in range(2):
            assert wellbeing.reveal(s, case, user=user, actor=actor_of(user), now=now,
                                    item=Item("review", review_id)) == "threat"
        events = list(s.scalars(select(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.kind == "harm.revealed")))
        assert len(events) == 2  # every reveal is on the timeline …
        assert wellbeing.seen_today(s, user.id, now) == 1  # … the item counts once a day
        assert wellbeing.seen_today(s, user.id, now + timedelta(days=1)) == 0
    timeline = client.get(f"/api/v1/cases/{key}/timeline", headers=specialist.headers).json()
    revealed = [e for e in timeline["items"] if e["kind"] == "harm.revealed"]
    assert revealed[0]["payload"]["what"] == "review r1"
    assert revealed[0]["payload"]["harm"] == ["threat"]


def test_only_a_harmful_item_of_this_case_can_be_revealed(client, db, specialist):
    key = _flag(client, specialist, "r1", "Nice place.")
    other = _flag(client, specialist, "r9", THREAT, review={
        "ref": "r9", "text": THREAT, "business_domain": "elsewhere.example.com",
        "reviewer_ref": "u9", "language": "en", "rating": 1})
    with db.session() as s:
        case, user = _case(s, key), s.get(User, specialist.user.id)
        plain = s.scalar(select(Review.id).where(Review.ref == "r1"))
        foreign = s.scalar(select(Review.id).where(Review.ref == "r9"))
        assert _case(s, other).harm == "threat"
        for item in (Item("review", plain), Item("review", foreign), Item("case", case.id),
                     Item("case", case.id + 1)):
            with pytest.raises(InvalidInput):
                wellbeing.reveal(s, case, user=user, actor=actor_of(user), now=utcnow(),
                                 item=item)


def test_at_the_cap_claim_next_offers_other_work(client, db, make_person, specialist):
    harmful = _flag(client, specialist, "r1", THREAT, category="harmful_illegal")
    plain = _flag(client, specialist, "r2", "Never a customer, fake.")
    worker = make_person("specialist")
    now = utcnow()
    with db.session() as s:
        _cap(s, 1)
    with db.session() as s:
        user = s.get(User, worker.user.id)
        wellbeing.count_seen(s, user, [(Item("review", 999), "hate", None)], now=now,
                             how="revealed")
        mine = wellbeing.standing(s, user, now)
        assert (mine.seen, mine.cap, mine.at_cap) == (1, 1, True)
        # The harmful case is the more urgent one; at the cap the plain one is offered.
        assert _case(s, harmful).priority <= _case(s, plain).priority
        claimed = claim_next_of_mine(s, user=user, actor=actor_of(user), now=now,
                                     spare_harm=True)
        assert claimed is not None and claimed[0] == _case(s, plain).id
        with pytest.raises(Forbidden, match="you have seen 1 harmful item today, the daily "
                                            "limit is 1"):
            cases.claim(s, _case(s, harmful), user=user, actor=actor_of(user), now=now)
    r = client.post("/api/v1/queues/flags/claim", headers=worker.headers).json()
    assert r["case"] is None  # only the harmful case is left
    assert r["note"].startswith("you have seen 1 harmful item today")


def test_a_manager_may_assign_past_the_cap_a_peer_may_not(client, db, make_person, manager,
                                                          specialist):
    key = _flag(client, specialist, "r1", THREAT)
    worker = make_person("specialist")
    now = utcnow()
    with db.session() as s:
        _cap(s, 0)  # a cap of 0: no harmful work offered at all
    with db.session() as s:
        case, peer = _case(s, key), s.get(User, specialist.user.id)
        target = s.get(User, worker.user.id)
        with pytest.raises(Forbidden, match="Specialist Person has seen 0 harmful items"):
            cases.assign(s, case, assignee=target, actor_user=peer, actor=actor_of(peer),
                         now=now)
    with db.session() as s:
        case, boss = _case(s, key), s.get(User, manager.user.id)
        cases.assign(s, case, assignee=s.get(User, worker.user.id), actor_user=boss,
                     actor=actor_of(boss), now=now)
        event = s.scalars(select(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.kind == "case.assigned")).one()
        assert json.loads(event.payload)["over_harm_cap"] == "0 of 0"


def test_the_managers_table_counts_everyone_today(client, db, make_person, specialist):
    other = make_person("agent")
    now = utcnow()
    with db.session() as s:
        me, them = s.get(User, specialist.user.id), s.get(User, other.user.id)
        them.blur_harm = False
        wellbeing.count_seen(s, me, [(Item("review", 1), "hate", None),
                                     (Item("review", 2), "threat", None)], now=now,
                             how="revealed")
        wellbeing.count_seen(s, them, [(Item("case", 3), "sexual", 3)], now=now, how="shown")
        wellbeing.count_seen(s, them, [(Item("case", 4), "sexual", 4)],
                             now=now - timedelta(days=1), how="shown")
        table = wellbeing.people_today(s, now)
        assert [(p.seen, p.revealed, p.blur) for p in table] == [(2, 2, True), (1, 0, False)]


def test_turning_the_blur_off_is_recorded(db, specialist):
    with db.session() as s:
        user = s.get(User, specialist.user.id)
        assert user.blur_harm is True
        wellbeing.set_blur(s, user, blur=False, actor=actor_of(user))
        wellbeing.set_blur(s, user, blur=False, actor=actor_of(user))  # no change: no event
        assert user.blur_harm is False
        events = list(s.scalars(select(AuditEvent).where(
            AuditEvent.kind == "account.blur_harm_changed")))
        assert [json.loads(e.payload) for e in events] == [{"user": user.id, "blur_harm": False}]
