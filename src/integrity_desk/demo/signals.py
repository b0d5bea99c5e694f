"""The demo's review data and fraud signals: a campaign planted at a business that already has
an open case, so the signals find it on `make run` and enrich that case (the demo's case count
stays the one asked for) — a burst of five-star reviews, one text pasted by many accounts, and
a ring of accounts that reviewed three other businesses together, on one device."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.db import Database
from integrity_desk.reviewdata.service import run_import
from integrity_desk.signals import service
from integrity_desk.subjects.models import Business, Review

TEMPLATE = ("Honestly the best service I have had in years, the team was wonderful, quick and "
            "kind. I recommend them to all my friends and family without any doubt at all.")
WORDS = (
    "good", "slow", "fine", "friendly", "late", "helpful", "busy", "clean", "pricey", "cheap",
    "rude", "warm", "cold", "quick", "parking", "garden", "coffee", "lunch", "dinner",
    "booking", "desk", "manager", "waiter", "price", "value", "noisy", "quiet", "view", "room",
    "bed", "pool", "sea", "street", "station", "bus", "taxi", "staff", "owner", "music",
)


def _target(db: Database) -> str | None:
    """The business of an open case about one of its reviews (an investigation first)."""
    with db.session() as session:
        return session.scalar(
            select(Business.domain)
            .join(Review, Review.business_id == Business.id)
            .join(CaseSubject, (CaseSubject.subject_id == Review.id)
                  & (CaseSubject.subject_type == "review"))
            .join(Case, Case.id == CaseSubject.case_id)
            .where(Case.is_open).order_by(Case.kind != "investigation", Case.id).limit(1))


def _campaign(domain: str, rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    start = now - timedelta(days=70)
    rows: list[dict[str, Any]] = []
    for day in range(62):
        for k in range(rng.randint(1, 3)):
            rows.append({"ref": f"demo-n{day}-{k}", "business": domain,
                         "reviewer": f"demo-u{rng.randrange(5_000)}", "rating": rng.randint(2, 5),
                         "published_at": (start + timedelta(days=day)).isoformat(),
                         "text": f"Visit {day}: " + " ".join(rng.sample(WORDS, k=12))})
    ring = [f"demo-ring{i}" for i in range(6)]
    burst = (start + timedelta(days=62)).isoformat()
    for i in range(28):
        rows.append({"ref": f"demo-b{i}", "business": domain,
                     "reviewer": ring[i] if i < len(ring) else f"demo-once{i}", "rating": 5,
                     "published_at": burst, "device_id": "dev-7" if i < 3 else None,
                     "text": TEMPLATE.replace("years", f"years {i % 4}")})
    for j, other in enumerate(["deals-a.example.net", "deals-b.example.net",
                               "deals-c.example.net"]):
        for i, member in enumerate(ring):
            rows.append({"ref": f"demo-o{j}-{i}", "business": other, "reviewer": member,
                         "rating": 5, "published_at": (start + timedelta(
                             days=20 + 9 * j + i % 2)).isoformat()})
    return rows


def seed_signals(db: Database, rng: random.Random, now: datetime) -> str:
    domain = _target(db)
    if domain is None:
        return "no open case about a review: no campaign planted"
    summary = run_import(db, "reviews", list(enumerate(_campaign(domain, rng, now), start=2)),
                         actor=SYSTEM)
    with db.session() as session:
        runs = [service.run_business(session, business_id, now=now, actor=service.ACTOR,
                                     open_at=0.6) for business_id in service.due(session)]
    found = sum(r.findings for r in runs)
    opened = sorted({r.case for r in runs if r.case and r.opened})
    enriched = sorted({r.case for r in runs if r.case and not r.opened})
    return (f"{summary.outcome.added} reviews imported; the signals found {found} pattern(s)"
            + (f", enriched {', '.join(enriched)}" if enriched else "")
            + (f", opened {', '.join(opened)}" if opened else ""))
