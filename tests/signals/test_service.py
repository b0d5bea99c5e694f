"""The signals over the desk's own data (both databases): a business with a planted campaign
is found, stored once however often it runs, opens one investigation case with triage's
fraud-signal reason — or enriches the open case about the business — and the nightly job
takes only businesses whose reviews changed."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.db import Database, utcnow
from integrity_desk.errors import NotFound
from integrity_desk.jobs.models import Job
from integrity_desk.reviewdata.service import run_import
from integrity_desk.signals import service
from integrity_desk.signals.models import Signal, SignalSubject
from integrity_desk.subjects.models import Business

SHOP = "shop.example.com"
D0 = date(2026, 1, 1)
TEMPLATE = ("Absolutely the best place in town, the staff were wonderful and the prices fair. "
            "I will recommend it to all my friends and family without any doubt.")


def _campaign(seed: int = 5) -> list[dict[str, Any]]:
    """Sixty days of two or three ordinary reviews a day, then a day of 30 five-star reviews
    by a ring of accounts that pasted one text, who also reviewed three other shops together.
    """
    rng = random.Random(seed)
    rows = []
    for day in range(60):
        for k in range(rng.randint(2, 3)):
            rows.append({"ref": f"n{day}-{k}", "business": SHOP,
                         "reviewer": f"u{rng.randrange(10_000)}", "rating": rng.randint(2, 5),
                         "published_at": (D0 + timedelta(days=day)).isoformat(),
                         "text": f"Visit {day}-{k}: " + " ".join(
                             rng.choices(["good", "slow", "ok", "nice", "cold", "busy"], k=20))})
    ring = [f"ring{i}" for i in range(6)]
    burst_day = (D0 + timedelta(days=60)).isoformat()
    for i in range(30):
        rows.append({"ref": f"b{i}", "business": SHOP, "reviewer": ring[i % 6] if i < 6
                     else f"once{i}", "rating": 5, "published_at": burst_day,
                     "text": TEMPLATE.replace("town", f"town {i % 3}")})
    for j, other in enumerate(["a.example.com", "b.example.com", "c.example.com"]):
        for i, member in enumerate(ring):
            rows.append({"ref": f"o{j}-{i}", "business": other, "reviewer": member,
                         "rating": 5, "device_id": "dev-1" if i < 3 else None,
                         "published_at": (D0 + timedelta(days=10 + 7 * j + i % 2)).isoformat()})
    return rows


def _load(db: Database, rows: list[dict[str, Any]]) -> None:
    run_import(db, "reviews", list(enumerate(rows, start=2)), actor=SYSTEM)


def _run(db: Database, *, open_at: float = 0.6) -> service.BusinessRun:
    with db.session() as session:
        business_id = service.business_id_of(session, SHOP)
        return service.run_business(session, business_id, now=utcnow(), actor=service.ACTOR,
                                    open_at=open_at)


def test_a_planted_campaign_is_found_stored_and_opens_one_case(db: Database) -> None:
    _load(db, _campaign())
    first = _run(db)
    assert first.by_kind.get("burst") == 2  # the volume and the rating mix of the same day
    assert first.by_kind.get("duplicates") == 1 and first.by_kind.get("ring") == 1
    assert first.opened and first.case
    with db.session() as session:
        stored = list(session.scalars(select(Signal)))
        signals = {s.kind: s for s in stored}
        case = session.scalars(select(Case)).one()
        reasons = {r["rule"] for r in case.priority_reasons}
        subjects = session.execute(select(CaseSubject.subject_type, func.count())
                                   .group_by(CaseSubject.subject_type)).all()
        duplicate_members = session.scalar(select(func.count()).select_from(SignalSubject)
                                           .where(SignalSubject.signal_id ==
                                                  signals["duplicates"].id,
                                                  SignalSubject.subject_type == "review"))
        found = session.scalars(select(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.kind == "signals.found")).one()
    assert case.kind == "investigation" and case.dedupe_key.startswith("signals:business:")
    assert "fraud-signal" in reasons
    assert dict(subjects)["business"] == 1 and dict(subjects)["review"] >= 30
    assert duplicate_members == 30
    assert "30" in signals["duplicates"].explanation
    assert signals["ring"].evidence["shared_devices"] == ["dev-1"]
    assert all(s.case_id == case.id for s in signals.values() if s.score >= 0.6)
    assert {f["kind"] for f in json.loads(found.payload)["findings"]} >= {"burst", "duplicates"}

    again = _run(db)  # the same findings: the same rows, no second case
    assert not again.opened and again.case is None
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Signal)) == len(stored)
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_an_open_case_about_the_business_is_enriched_instead(db: Database, client,
                                                             specialist) -> None:
    _load(db, _campaign())
    flag = {"kind": "flag", "category": "fake", "reporter_type": "consumer",
            "review": {"ref": "n3-0", "business_domain": SHOP}}
    response = client.post("/api/v1/cases", json=flag, headers=specialist.headers)
    assert response.status_code == 201, response.text
    with db.session() as session:  # the flag's case is about the review; name the business
        case_id = session.scalar(select(Case.id))
        business_id = service.business_id_of(session, SHOP)
        session.add(CaseSubject(case_id=case_id, subject_type="business",
                                subject_id=business_id, role="related"))
    run = _run(db)
    assert run.case == response.json()["case"]["key"] and not run.opened
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        related = session.scalar(select(func.count()).select_from(CaseSubject).where(
            CaseSubject.case_id == case_id, CaseSubject.role == "related"))
    assert related > 10


def test_below_the_threshold_nothing_opens(db: Database) -> None:
    _load(db, _campaign())
    run = _run(db, open_at=1.01)
    assert run.findings >= 4 and run.case is None
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_the_nightly_job_takes_only_changed_businesses(db: Database) -> None:
    _load(db, _campaign())
    with db.session() as session:
        assert len(service.due(session)) == 4
        summary = service.run_job(session, utcnow(), {}, actor=service.ACTOR, open_at=0.6)
    assert summary["businesses"] == 4
    with db.session() as session:
        assert service.due(session) == []
    _load(db, [{"ref": "late", "business": "b.example.com", "reviewer": "z1", "rating": 1,
                "published_at": "2026-03-05"}])
    with db.session() as session:
        changed = session.scalar(select(Business.id).where(Business.domain == "b.example.com"))
        assert service.due(session) == [changed]


def test_a_job_over_budget_queues_the_rest(db: Database) -> None:
    _load(db, _campaign())
    with db.session() as session:
        first = service.run_job(session, utcnow(), {}, actor=service.ACTOR, open_at=0.6,
                                budget=0.0)
        job = session.scalars(select(Job).where(Job.kind == service.MORE_JOB)).one()
    assert first["businesses"] == 1 and job.payload["after"] > 0
    with db.session() as session:
        rest = service.run_job(session, utcnow(), job.payload, actor=service.ACTOR,
                               open_at=0.6)
    assert rest["businesses"] == 3


def test_an_unknown_business_is_named(db: Database) -> None:
    with db.session() as session, pytest.raises(NotFound) as raised:
        service.business_id_of(session, "nowhere.example.com")
    assert raised.value.field == "business"


def test_an_open_flag_about_one_of_its_reviews_is_enriched(db: Database, client,
                                                           specialist) -> None:
    _load(db, _campaign())
    flag = {"kind": "flag", "category": "fake", "reporter_type": "consumer",
            "review": {"ref": "n7-1", "business_domain": SHOP}}
    key = client.post("/api/v1/cases", json=flag, headers=specialist.headers).json()["case"]["key"]
    run = _run(db)
    assert (run.case, run.opened) == (key, False)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_the_nightly_pass_is_dealt_into_parts_that_share_no_business(db: Database) -> None:
    _load(db, _campaign())
    now = utcnow()
    with db.session() as session:
        assert service.start_nightly(session, now, parts=2) == {"parts": 2}
        jobs = list(session.scalars(select(Job).where(Job.kind == service.MORE_JOB)
                                    .order_by(Job.id)))
        payloads = [job.payload for job in jobs]
    assert payloads == [{"after": 0, "part": 0, "parts": 2}, {"after": 0, "part": 1, "parts": 2}]
    done = []
    for payload in payloads:
        with db.session() as session:
            part = service.due(session, part=payload["part"], parts=2)
            done.append(set(part))
            service.run_job(session, now, payload, actor=service.ACTOR, open_at=0.6)
    assert done[0] and done[1] and not done[0] & done[1]
    with db.session() as session:
        assert service.due(session) == []
