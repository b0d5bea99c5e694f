"""All the signals over one business, as findings ready to store: pure, records in.

The reviews of the business and, for rings and reviewer risk, the other reviews of its
reviewers (a ring shows across businesses; an account's cadence across its whole history) go
in; out come findings, each with a fingerprint ``key`` (the same finding on a later run is the
same row), a ``strength`` in [0, 1] comparable across kinds, the words and the evidence, and the
reviews and accounts it is about. ``strength`` decides what opens a case
(``signals.cases``); it is documented per kind in docs/investigations.md.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from integrity_desk.signals import bursts as burst_signal
from integrity_desk.signals.duplicates import find_duplicates
from integrity_desk.signals.records import ReviewerRecord, ReviewRecord
from integrity_desk.signals.rings import find_rings
from integrity_desk.signals.risk import score_reviewers

# A reviewer's risk is stored from here up: below it, a finding about every account would
# bury the few that matter (and cost a row per account per business).
RISK_FLOOR = 0.5
# Accounts in a copied-text cluster, and in a ring, at which their strength reaches 1.
DUPLICATE_FULL = 6
RING_FULL = 6


@dataclass(frozen=True)
class Finding:
    kind: str  # burst | duplicates | ring | reviewer_risk
    key: str
    strength: float  # in [0, 1]
    explanation: str
    evidence: dict[str, Any]
    reviews: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    businesses: tuple[str, ...] = field(default_factory=tuple)


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def burst_strength(score: float) -> float:
    """0 at the burst threshold, 0.63 at twice it, near 1 at four times."""
    over = max(score - burst_signal.THRESHOLD, 0.0) / burst_signal.THRESHOLD
    return round(1.0 - math.exp(-over), 4)


def day_counts(reviews: Sequence[ReviewRecord]) -> list[burst_signal.DayCounts]:
    counts: dict[Any, Counter[int]] = defaultdict(Counter)
    totals: Counter[Any] = Counter()
    for r in reviews:
        totals[r.day] += 1
        if r.rating is not None:
            counts[r.day][r.rating] += 1
    return [burst_signal.DayCounts(day, n, dict(counts[day])) for day, n in totals.items()]


def business_findings(business: str, own: Sequence[ReviewRecord],
                      elsewhere: Sequence[ReviewRecord] = (),
                      accounts: Mapping[str, ReviewerRecord] | None = None) -> list[Finding]:
    """Every finding about ``business`` from its reviews (``own``) and its reviewers' reviews
    of other businesses (``elsewhere``)."""
    findings: list[Finding] = []
    by_day: dict[Any, list[str]] = defaultdict(list)
    for r in own:
        by_day[r.day].append(r.review)
    burst_reviews: set[str] = set()
    for burst in burst_signal.find_bursts(day_counts(own)):
        day_reviews = tuple(sorted(by_day[burst.day]))
        if burst.kind == "volume":
            burst_reviews.update(day_reviews)
        findings.append(Finding(
            "burst", f"burst:{business}:{burst.day.isoformat()}:{burst.kind}"[:80],
            burst_strength(burst.score), burst.explanation,
            {**burst.evidence(), "business": business}, reviews=day_reviews,
            businesses=(business,)))
    clusters = find_duplicates(own)
    duplicate_reviewers: set[str] = set()
    for cluster in clusters:
        members = cluster.members
        duplicate_reviewers.update(m.reviewer for m in members)
        findings.append(Finding(
            "duplicates", f"dup:{cluster.representative.review}",
            round(min(1.0, (cluster.reviewers - 1) / (DUPLICATE_FULL - 1)), 4),
            cluster.explanation, cluster.evidence(),
            reviews=tuple(m.review for m in members),
            reviewers=tuple(sorted({m.reviewer for m in members})),
            businesses=tuple(sorted({m.business for m in members}))))
    everything = [*own, *elsewhere]
    ring_members: dict[str, float] = {}
    for ring in find_rings(everything):
        if business not in ring.businesses:
            continue  # a ring elsewhere is that business's finding
        strength = round(min(1.0, ring.density * len(ring.reviewers) / RING_FULL), 4)
        for reviewer in ring.reviewers:
            ring_members[reviewer] = max(ring_members.get(reviewer, 0.0), strength)
        findings.append(Finding(
            "ring", f"ring:{_digest(ring.reviewers)}", strength, ring.explanation,
            ring.evidence(), reviews=ring.reviews, reviewers=ring.reviewers,
            businesses=ring.businesses))
    own_by_reviewer: dict[str, list[str]] = defaultdict(list)
    for r in own:
        own_by_reviewer[r.reviewer].append(r.review)
    risks = score_reviewers(everything, accounts, ring_members=ring_members,
                            duplicate_members=duplicate_reviewers, burst_reviews=burst_reviews,
                            drop_below=RISK_FLOOR)
    for reviewer, risk in sorted(risks.items()):
        if reviewer not in own_by_reviewer:  # an account seen only elsewhere
            continue
        reviews = tuple(sorted(own_by_reviewer[reviewer]))
        findings.append(Finding(
            "reviewer_risk", f"risk:{reviewer}", round(risk.score, 4), risk.explanation,
            risk.evidence(), reviews=reviews, reviewers=(reviewer,), businesses=(business,)))
    return findings
