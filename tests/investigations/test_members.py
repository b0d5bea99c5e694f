"""An investigation's members (both databases): the signals' case has the campaign's reviews
and accounts as members with the findings that name them; a person adds and drops members
with a reason, on the timeline; a dropped member stays out when the signals run again; a
suggestion adds the member accounts' other reviews at the case's businesses."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.db import Database, utcnow
from integrity_desk.errors import Conflict, Forbidden, InvalidInput
from integrity_desk.investigations import domain, members, workspace
from integrity_desk.people.service import actor_of
from integrity_desk.subjects.models import Review
from tests.conftest import Person
from tests.signals.test_service import _campaign, _load, _run


def investigation(db: Database) -> str:
    _load(db, _campaign())
    run = _run(db)
    assert run.opened and run.case
    return run.case


def _case(session, key: str) -> Case:
    return session.scalars(select(Case).where(Case.id == int(key.split("-")[1]))).one()


def test_the_members_are_the_subjects_and_what_the_findings_are_about(
        db: Database, specialist: Person) -> None:
    key = investigation(db)
    with db.session() as session:
        case = _case(session, key)
        why = members.why(session, case.id)
        refs = members.refs_of(session, why)
        by_ref = {(t, refs[(t, i)]): w for (t, i), w in why.items()}
        space = workspace.read(session, case)
    assert ("review", "b0") in by_ref and ("reviewer", "ring0") in by_ref
    kinds = {s[1] for s in by_ref[("review", "b0")].signals}
    assert {"burst", "duplicates"} <= kinds
    assert by_ref[("business", "shop.example.com")].role == "primary"
    assert space.counts["review"] >= 30 and space.counts["business"] >= 1
    assert any(n.kind == "business" and n.label == "shop.example.com" for n in space.nodes)
    assert any(e.kind == "reviewed" for e in space.edges)
    burst_days = [d for d in space.days if d.burst]
    assert [d.day.isoformat() for d in burst_days] == ["2026-03-02"]
    assert burst_days[0].in_case >= 30 and burst_days[0].around >= burst_days[0].in_case
    cluster = space.clusters[0]
    assert cluster.first is not None and len(cluster.copies) >= 2
    assert any(p.kind == "added" for c in cluster.copies for p in c.pieces)


def test_a_person_adds_and_drops_with_a_reason_and_the_signals_do_not_put_it_back(
        db: Database, specialist: Person) -> None:
    key = investigation(db)
    now = utcnow()
    with db.session() as session:
        case = _case(session, key)
        user = session.merge(specialist.user)
        added = members.add(session, case, user=user, actor=actor_of(user), now=now,
                            subject_type="review", refs=["n3-0", "n4-0"],
                            reason="Same wording as the burst")
        assert added == 2
        dropped = members.drop(session, case, user=user, actor=actor_of(user), now=now,
                               subject_type="review", ref="b1", reason="A real customer")
        assert dropped == 1
    with db.session() as session:
        case = _case(session, key)
        why = members.why(session, case.id)
        refs = {(t, r) for (t, _), r in members.refs_of(session, why).items()}
        events = {e.kind: json.loads(e.payload) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case.id))}
        b1 = session.scalar(select(Review.id).where(Review.ref == "b1"))
    assert ("review", "n3-0") in refs and ("review", "b1") not in refs
    assert events["case.member_added"]["reason"] == "Same wording as the burst"
    assert events["case.member_dropped"] == {"type": "review", "ref": "b1",
                                             "reason": "A real customer"}
    with db.session() as session:
        kept = members.keep_dropped_out(session, case.id, [("review", b1), ("review", 1)])
    assert kept == [("review", 1)]


def test_signals_act_does_not_re_add_a_dropped_member(db: Database, specialist: Person) -> None:
    key = investigation(db)
    with db.session() as session:
        case = _case(session, key)
        user = session.merge(specialist.user)
        members.drop(session, case, user=user, actor=actor_of(user), now=utcnow(),
                     subject_type="reviewer", ref="ring0", reason="Known to the shop")
        # The findings are held by the case already: let them look new, so act enriches.
        from integrity_desk.signals.models import Signal
        for signal in session.scalars(select(Signal)):
            signal.case_id = None
    run = _run(db)
    assert run.case == key and not run.opened
    with db.session() as session:
        case = _case(session, key)
        ring0 = members.resolve(session, "reviewer", ["ring0"])[0]
        subject = session.scalar(select(CaseSubject).where(
            CaseSubject.case_id == case.id, CaseSubject.subject_type == "reviewer",
            CaseSubject.subject_id == ring0))
        assert subject is None
        assert ("reviewer", ring0) not in members.why(session, case.id)
        ring1 = members.resolve(session, "reviewer", ["ring1"])[0]
        assert ("reviewer", ring1) in members.why(session, case.id)


def test_bad_input_and_people_who_may_not_work_it_are_refused(
        db: Database, specialist: Person, make_person) -> None:
    key = investigation(db)
    viewer = make_person("viewer")
    with db.session() as session:
        case = _case(session, key)
        user = session.merge(specialist.user)
        with pytest.raises(InvalidInput) as unknown:
            members.add(session, case, user=user, actor=actor_of(user), now=utcnow(),
                        subject_type="review", refs=["nope"], reason="x")
        assert unknown.value.field == "refs"
        with pytest.raises(InvalidInput) as no_reason:
            members.add(session, case, user=user, actor=actor_of(user), now=utcnow(),
                        subject_type="review", refs=["n3-0"], reason="  ")
        assert no_reason.value.field == "reason"
        with pytest.raises(InvalidInput) as not_member:
            members.drop(session, case, user=user, actor=actor_of(user), now=utcnow(),
                         subject_type="review", ref="n3-0", reason="x")
        assert not_member.value.field == "ref"
        with pytest.raises(Forbidden):
            members.add(session, case, user=session.merge(viewer.user),
                        actor=actor_of(viewer.user), now=utcnow(), subject_type="review",
                        refs=["n3-0"], reason="x")
        session.rollback()
        case = _case(session, key)
        case.is_open = False
        with pytest.raises(Conflict):
            members.check_may_change(session, user, case)
        session.rollback()


def test_a_suggestion_adds_the_member_accounts_other_reviews(
        db: Database, specialist: Person) -> None:
    key = investigation(db)
    with db.session() as session:
        case = _case(session, key)
        user = session.merge(specialist.user)
        # The ring's accounts come back to the shop a week later (after the signals ran).
        shop = members.resolve(session, "business", ["shop.example.com"])[0]
        ring = members.resolve(session, "reviewer", [f"ring{i}" for i in range(6)])
        session.add_all(Review(ref=f"late{i}", business_id=shop, reviewer_id=account,
                               rating=5, text="Great again", published_at=utcnow())
                        for i, account in enumerate(ring))
        session.flush()
        found = members.suggestions(session, case.id)
        assert found and found[0].kind == "ring_reviews" and found[0].count == 6
        assert found[0].words.startswith("6 more reviews by member accounts")
        added = members.add_suggested(session, case, user=user, actor=actor_of(user),
                                      now=utcnow(), kind="ring_reviews")
        assert added == 6
        assert members.suggestions(session, case.id) == []


def test_the_word_difference_marks_what_the_copier_changed() -> None:
    pieces = domain.word_diff("the staff were wonderful", "the staff were  truly wonderful")
    assert [(p.kind, p.text) for p in pieces] == [("same", "the staff were"),
                                                  ("added", "truly"), ("same", "wonderful")]
    assert domain.similarity(pieces) < 1
    assert domain.shared_links({"d:1": {3, 1, 2}, "n:x": {1, 2}})[(1, 2)] == 2
