"""The workspace of an investigation, read in a fixed handful of statements whatever its size.

What the page shows: every member with why it is one (members.why: the findings that name it,
a person's reason), the reviews with their accounts and businesses, the graph of accounts and
businesses (an edge per account and business, weighted by the reviews between them; accounts
that share a device or a network linked), the reviews per day against all of their businesses'
reviews those days with the burst days the findings name, the copied-text clusters with each
copy's word differences from the cluster's first text, the suggestions and the dropped
members. Statements: why (2), reviews, accounts, businesses, findings' evidence, volume
around, cluster texts, dropped, suggestions — none per member (the benchmark counts them:
bench/workspace.py).
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.investigations import domain, members
from integrity_desk.investigations.models import DroppedMember
from integrity_desk.people.models import User
from integrity_desk.signals.models import Signal
from integrity_desk.subjects.models import Business, Review, Reviewer

# A graph past this many nodes is a hairball: the heaviest are drawn, the list says so.
MAX_NODES = 300
MAX_CLUSTERS = 6
MAX_COPIES = 12


@dataclass(frozen=True)
class ReviewRow:
    id: int
    ref: str
    rating: int | None
    published_at: datetime | None
    reviewer_id: int | None
    business_id: int | None
    harm: str | None
    device_id: str | None
    network_id: str | None


@dataclass(frozen=True)
class Member:
    type: str
    id: int
    ref: str
    why: members.Why
    review: ReviewRow | None = None
    reviewer: str | None = None  # a review's account's ref
    business: str | None = None  # a review's business's domain

    @property
    def strength(self) -> float:
        """The strongest finding's (members.why puts it first)."""
        return self.why.signals[0][2] if self.why.signals else 0.0


@dataclass(frozen=True)
class Node:
    id: str  # "r<id>" (an account) or "b<id>" (a business)
    kind: str  # reviewer | business
    label: str
    reviews: int  # the investigation's reviews by or about it
    member: bool


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # reviewed | shares
    weight: int


@dataclass(frozen=True)
class Copy:
    ref: str
    reviewer: str | None
    harm: str | None
    pieces: list[domain.Piece]
    similarity: float


@dataclass(frozen=True)
class Cluster:
    signal: int
    explanation: str
    first: Copy | None
    copies: list[Copy]
    size: int


@dataclass(frozen=True)
class Dropped:
    type: str
    ref: str
    reason: str
    by: str | None
    at: datetime


@dataclass
class Workspace:
    case: Case
    members: list[Member]
    counts: Counter[str]
    nodes: list[Node]
    edges: list[Edge]
    node_total: int
    days: list[domain.Day]
    clusters: list[Cluster]
    suggestions: list[members.Suggestion]
    dropped: list[Dropped]
    signals: dict[int, tuple[str, float, str]] = field(default_factory=dict)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while the workspace is built.

    A 5,000-member workspace makes some 40,000 short-lived tuples and records, none of them in
    a cycle (reference counting frees them all); each 700 allocations start a collection, and
    every tenth of those walks the whole process's heap — SQLAlchemy's, FastAPI's, the
    templates' — which took the read's median CPU from ~110 ms to ~200 ms (bench/workspace.py,
    PostgreSQL). Collection resumes as soon as the read ends (or fails); a collector someone
    else paused stays paused."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def read(session: Session, case: Case) -> Workspace:
    """The whole workspace of the case (the caller read the case through readable_clause)."""
    with _without_cycle_collection():
        return _read(session, case)


def _read(session: Session, case: Case) -> Workspace:
    why = members.why(session, case.id)
    keys = list(why)
    reviews = _reviews(session, case.id)
    review_ids = set(reviews)
    member_reviewers = {i for t, i in keys if t == "reviewer"}
    member_businesses = {i for t, i in keys if t == "business"}
    reviewer_ids = member_reviewers | {r.reviewer_id for r in reviews.values() if r.reviewer_id}
    business_ids = member_businesses | {r.business_id for r in reviews.values() if r.business_id}
    reviewer_refs = _refs(session, Reviewer, Reviewer.ref, reviewer_ids)
    business_refs = _refs(session, Business, Business.domain, business_ids)
    rows: list[Member] = []
    for t, i in keys:
        w = why[(t, i)]
        if t == "review" and i in reviews:
            r = reviews[i]
            rows.append(Member(t, i, r.ref, w, r, reviewer_refs.get(r.reviewer_id or 0),
                               business_refs.get(r.business_id or 0)))
        elif t == "reviewer" and i in reviewer_refs:
            rows.append(Member(t, i, reviewer_refs[i], w))
        elif t == "business" and i in business_refs:
            rows.append(Member(t, i, business_refs[i], w))
    rows.sort(key=lambda m: (-m.strength, m.type, m.ref))
    signal_ids = sorted({s[0] for w in why.values() for s in w.signals})
    evidence = _evidence(session, case.id, signal_ids)
    bursts = [date.fromisoformat(e["day"]) for kind, e, _ in evidence.values()
              if kind == "burst" and isinstance(e.get("day"), str)]
    nodes, edges, total = _graph(reviews.values(), reviewer_refs, business_refs,
                                 member_reviewers, member_businesses)
    in_case = [r.published_at.date() for r in reviews.values() if r.published_at]
    around = _around(session, business_ids, in_case)
    return Workspace(
        case=case, members=rows, counts=Counter(m.type for m in rows), nodes=nodes,
        edges=edges, node_total=total, days=domain.days(in_case, around, bursts),
        clusters=_clusters(session, evidence, review_ids),
        suggestions=members.suggestions(
            session, case.id, reviews=review_ids, businesses=business_ids,
            reviewers=member_reviewers),
        dropped=_dropped(session, case.id),
        signals={sid: (kind, score, words) for w in why.values()
                 for sid, kind, score, words in w.signals})


def _reviews(session: Session, case_id: int) -> dict[int, ReviewRow]:
    return {row[0]: ReviewRow(*row) for row in session.connection().execute(
        select(Review.id, Review.ref, Review.rating, Review.published_at, Review.reviewer_id,
               Review.business_id, Review.harm, Review.device_id, Review.network_id)
        .where(Review.id.in_(members.member_ids(case_id, "review")))).all()}


def _refs(session: Session, table: Any, ref: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.connection().execute(select(table.id, ref).where(
        members.among(session, table.id, "ids")), {"ids": sorted(ids)}).all())


def _evidence(session: Session, case_id: int, signal_ids: Sequence[int]
              ) -> dict[int, tuple[str, dict[str, Any], str]]:
    """Bursts' and copied texts' evidence: of the findings that name members, and of the
    case's own."""
    query = select(Signal.id, Signal.kind, Signal.evidence, Signal.explanation).where(
        Signal.kind.in_(["burst", "duplicates"]))
    ids = list(signal_ids)
    held = Signal.case_id == case_id
    query = query.where(held | members.among(session, Signal.id, "ids")) if ids \
        else query.where(held)
    return {sid: (kind, evidence or {}, words)
            for sid, kind, evidence, words in session.execute(query, {"ids": ids} if ids else {})}


def _graph(reviews: Any, reviewer_refs: dict[int, str], business_refs: dict[int, str],
           member_reviewers: set[int], member_businesses: set[int]
           ) -> tuple[list[Node], list[Edge], int]:
    weights: Counter[tuple[int, int]] = Counter()
    holders: dict[str, set[int]] = defaultdict(set)
    for r in reviews:
        if r.reviewer_id and r.business_id:
            weights[(r.reviewer_id, r.business_id)] += 1
        if r.reviewer_id:
            if r.device_id:
                holders[f"d:{r.device_id}"].add(r.reviewer_id)
            if r.network_id:
                holders[f"n:{r.network_id}"].add(r.reviewer_id)
    degree: Counter[str] = Counter()
    for (a, b), n in weights.items():
        degree[f"r{a}"] += n
        degree[f"b{b}"] += n
    for a in member_reviewers:
        degree.setdefault(f"r{a}", 0)
    for b in member_businesses:
        degree.setdefault(f"b{b}", 0)
    total = len(degree)
    # Every business is drawn (there are few); the heaviest accounts fill the rest.
    businesses = {k for k in degree if k.startswith("b")}
    accounts = {k: v for k, v in degree.items() if k.startswith("r")}
    drawn = businesses | domain.strongest(accounts, max(MAX_NODES - len(businesses), 0))
    nodes = [Node(k, "business" if k[0] == "b" else "reviewer",
                  (business_refs if k[0] == "b" else reviewer_refs).get(int(k[1:]), k),
                  degree[k], int(k[1:]) in (member_businesses if k[0] == "b"
                                            else member_reviewers))
             for k in sorted(drawn, key=lambda k: (k[0], -degree[k], k))]
    edges = [Edge(f"r{a}", f"b{b}", "reviewed", n) for (a, b), n in sorted(weights.items())
             if f"r{a}" in drawn and f"b{b}" in drawn]
    edges += [Edge(f"r{a}", f"r{b}", "shares", n)
              for (a, b), n in sorted(domain.shared_links(holders).items())
              if f"r{a}" in drawn and f"r{b}" in drawn]
    return nodes, edges, total


def _around(session: Session, business_ids: set[int], in_case: list[date]) -> dict[date, int]:
    """All reviews of the businesses per day over the investigation's days (and a few either
    side): ix_reviews_business_published, grouped by the database."""
    if not business_ids or not in_case:
        return {}
    start = datetime.combine(min(in_case) - timedelta(days=3), datetime.min.time(), UTC)
    end = datetime.combine(max(in_case) + timedelta(days=4), datetime.min.time(), UTC)
    # The UTC day on both (PostgreSQL's date() would take the session's time zone).
    stamp = Review.published_at
    day = func.date(func.timezone("UTC", stamp)
                    if session.get_bind().dialect.name == "postgresql" else stamp)
    out: dict[date, int] = {}
    for value, count in session.execute(
            select(day, func.count()).where(
                Review.business_id.in_(bindparam("ids", expanding=True)),
                Review.published_at >= start,
                Review.published_at < end).group_by(day),
            {"ids": sorted(business_ids)}):
        key = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        out[key] = out.get(key, 0) + count
    return out


def _clusters(session: Session, evidence: dict[int, tuple[str, dict[str, Any], str]],
              review_ids: set[int]) -> list[Cluster]:
    chosen = sorted(((sid, e, words) for sid, (kind, e, words) in evidence.items()
                     if kind == "duplicates"), key=lambda c: -len(c[1].get("members") or []))
    chosen = chosen[:MAX_CLUSTERS]
    wanted: dict[int, list[str]] = {}
    for sid, e, _ in chosen:
        refs = [m.get("review") for m in e.get("members") or [] if m.get("review")]
        first = e.get("representative")
        if first in refs:
            refs.remove(first)
            refs.insert(0, first)
        wanted[sid] = refs[:MAX_COPIES + 1]
    every = sorted({r for refs in wanted.values() for r in refs})
    texts = {ref: (text, reviewer, harm) for ref, text, reviewer, harm in session.execute(
        select(Review.ref, Review.text, Reviewer.ref, Review.harm)
        .outerjoin(Reviewer, Reviewer.id == Review.reviewer_id)
        .where(Review.ref.in_(bindparam("refs", expanding=True))), {"refs": every})} \
        if every else {}
    out = []
    for sid, e, words in chosen:
        refs = [r for r in wanted[sid] if r in texts]
        if not refs:
            continue
        base = texts[refs[0]][0] or ""
        copies = []
        for ref in refs:
            text, reviewer, harm = texts[ref]
            pieces = domain.word_diff(base, text or "")
            copies.append(Copy(ref, reviewer, harm, pieces, domain.similarity(pieces)))
        out.append(Cluster(sid, words, copies[0], copies[1:], len(e.get("members") or [])))
    return out


def _dropped(session: Session, case_id: int) -> list[Dropped]:
    rows = session.execute(
        select(DroppedMember.subject_type, DroppedMember.subject_id, DroppedMember.reason,
               User.name, DroppedMember.dropped_at)
        .outerjoin(User, User.id == DroppedMember.dropped_by_id)
        .where(DroppedMember.case_id == case_id)
        .order_by(DroppedMember.dropped_at.desc())).all()
    refs = members.refs_of(session, [(t, i) for t, i, *_ in rows])
    return [Dropped(t, refs.get((t, i), str(i)), reason, by, at)
            for t, i, reason, by, at in rows]
