"""Precedents: record decided cases, find the decided cases most like an open one.

Finding is a fixed number of statements whatever the size of the history: the open case's
profile (three), one UNION ALL taking the newest ``PER_KEY`` cases of each of its keys through
``precedent_keys``' primary key, and one fetching the best ``SCORED`` candidates the viewer may
read. The candidates are first ranked by the weights of the keys they were found by, then
scored exactly (domain.likeness) on the terms kept in their row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, literal, select, text, union_all, update
from sqlalchemy.orm import Session

from integrity_desk.cases.domain import case_key
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.cases.repository import readable_clause
from integrity_desk.decisions.models import Decision, Guideline
from integrity_desk.people.models import User
from integrity_desk.precedents import domain
from integrity_desk.precedents.domain import PER_KEY, WEIGHTS, Likeness, Profile
from integrity_desk.precedents.models import Precedent, PrecedentKey
from integrity_desk.signals.models import Signal
from integrity_desk.subjects.models import Review

SCORED = 100  # candidates scored exactly after the first ranking
QUERY_TERMS = 24  # the open case's terms looked up (its first ones: title, then description)


def profiles(session: Session, cases: Sequence[Case]) -> dict[int, Profile]:
    """Each case's terms (title, description, its reviews' titles and texts) and pattern keys
    (businesses, reviewers, reviews, category, signal kinds): three statements for any number
    of cases."""
    ids = [c.id for c in cases]
    subjects: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    texts: dict[int, list[str | None]] = defaultdict(list)
    for case_id, stype, sid, r_title, r_text, business, reviewer in session.execute(
            select(CaseSubject.case_id, CaseSubject.subject_type, CaseSubject.subject_id,
                   Review.title, Review.text, Review.business_id, Review.reviewer_id)
            .outerjoin(Review, (CaseSubject.subject_type == "review")
                       & (Review.id == CaseSubject.subject_id))
            .where(CaseSubject.case_id.in_(ids)).order_by(CaseSubject.id)):
        subjects[case_id][stype].add(sid)
        if stype == "review":
            texts[case_id] += [r_title, r_text]
            if business is not None:
                subjects[case_id]["business"].add(business)
            if reviewer is not None:
                subjects[case_id]["reviewer"].add(reviewer)
    signals: dict[int, set[str]] = defaultdict(set)
    for case_id, kind in session.execute(select(Signal.case_id, Signal.kind)
                                         .where(Signal.case_id.in_(ids))):
        signals[case_id].add(kind)
    found = {}
    for c in cases:
        s = subjects[c.id]
        found[c.id] = Profile(
            terms=domain.terms(c.title, c.description, *texts[c.id]),
            patterns=domain.pattern_keys(category=c.category, businesses=s["business"],
                                         reviewers=s["reviewer"], reviews=s["review"],
                                         signals=signals[c.id]))
    return found


def write(session: Session, rows: Sequence[tuple[Case, Decision, str | None, Profile]]) -> None:
    """(Re)write the precedent rows and keys of these decided cases: two multi-row inserts."""
    ids = [c.id for c, _, _, _ in rows]
    session.execute(delete(PrecedentKey).where(PrecedentKey.case_id.in_(ids)))
    session.execute(delete(Precedent).where(Precedent.case_id.in_(ids)))
    session.execute(insert(Precedent), [dict(
        case_id=c.id, decision_id=d.id, outcome=d.outcome, guideline_code=code,
        category=c.category, kind=c.kind, decided_at=d.decided_at,
        terms=" ".join(p.terms)) for c, d, code, p in rows])
    keys = [dict(key=k, case_id=c.id) for c, _, _, p in rows for k in dict.fromkeys(p.keys())]
    if keys:
        session.execute(insert(PrecedentKey), keys)


def record(session: Session, case: Case, decision: Decision) -> None:
    """The decision just applied makes its case a precedent (or renews it, decided again)."""
    if decision.kind != "decision":
        return
    guideline = session.get(Guideline, decision.guideline_id) if decision.guideline_id else None
    write(session, [(case, decision, guideline.code if guideline else None,
                     profiles(session, [case])[case.id])])


def note_appeal(session: Session, contested: Decision, outcome: str) -> None:
    """An appeal outcome against the decision a precedent stands for: upheld, overturned or
    partly overturned is shown with it from now on."""
    session.execute(update(Precedent).where(Precedent.case_id == contested.case_id,
                                            Precedent.decision_id == contested.id)
                    .values(appeal=outcome).execution_options(synchronize_session=False))


@dataclass(frozen=True)
class Found:
    key: str
    title: str
    outcome: str
    guideline: str | None
    decided_at: datetime
    appeal: str
    likeness: Likeness


_NEWEST_PER_KEY = text(
    "SELECT k.key, p.case_id FROM unnest(CAST(:keys AS varchar[])) AS k(key) "
    "CROSS JOIN LATERAL (SELECT case_id FROM precedent_keys WHERE precedent_keys.key = k.key "
    "AND case_id <> :me ORDER BY case_id DESC LIMIT :n) AS p")


@dataclass
class Candidates:
    ranked: dict[int, float]  # case id: the weights of the keys it was found by
    weights: dict[str, float]  # term: its weight (domain.term_weight)
    patterns: dict[int, set[str]]  # case id: the pattern keys it was found by


def _candidates(session: Session, case: Case, profile: Profile) -> Candidates:
    """First ranking: every case found by a key, weighed by the keys it was found by. A
    pattern shared with more than PER_KEY cases credits the newest PER_KEY of them."""
    keys = [f"t:{t}" for t in profile.terms[:QUERY_TERMS]] + sorted(profile.patterns)
    if not keys:
        return Candidates({}, {}, {})
    if session.get_bind().dialect.name == "postgresql":
        # One statement of one shape whatever the number of keys: prepared once per
        # connection, where a UNION of N parts is compiled and planned anew for each N.
        rows = session.execute(_NEWEST_PER_KEY, {"keys": keys, "me": case.id, "n": PER_KEY})
    else:
        rows = session.execute(union_all(*[
            select(literal(k).label("k"), PrecedentKey.case_id)
            .where(PrecedentKey.key == k, PrecedentKey.case_id != case.id)
            .order_by(PrecedentKey.case_id.desc()).limit(PER_KEY).subquery().select()
            for k in keys]))
    by_key: dict[str, list[int]] = defaultdict(list)
    for k, case_id in rows:
        by_key[k].append(case_id)
    weights = {k[2:]: domain.term_weight(len(ids)) for k, ids in by_key.items()
               if k.startswith("t:")}
    total = sum(weights.get(t, 1.0) for t in profile.terms) or 1.0
    ranked: dict[int, float] = defaultdict(float)
    patterns: dict[int, set[str]] = defaultdict(set)
    for k, ids in by_key.items():
        is_term = k.startswith("t:")
        w = weights[k[2:]] / total if is_term else WEIGHTS.get(k[0], 0.0)
        for case_id in ids:
            ranked[case_id] += w
            if not is_term:
                patterns[case_id].add(k)
    return Candidates(ranked, weights, patterns)


def find(session: Session, user: User, case: Case, *, limit: int = 5,
         before: datetime | None = None) -> list[Found]:
    """The decided cases most like this one that ``user`` may read, best first; ``before``:
    only those decided earlier (what the case's decider could have seen; the measurements)."""
    profile = profiles(session, [case])[case.id]
    c = _candidates(session, case, profile)
    best = sorted(c.ranked, key=lambda i: (-c.ranked[i], -i))[:SCORED]
    if not best:
        return []
    rows = session.execute(
        select(Precedent.case_id, Precedent.outcome, Precedent.guideline_code,
               Precedent.category, Precedent.decided_at, Precedent.appeal, Precedent.terms,
               Case.kind, Case.title).join(Case, Case.id == Precedent.case_id)
        .where(Precedent.case_id.in_(best), readable_clause(user),
               *([Precedent.decided_at < before] if before is not None else []))).all()
    found = []
    for r in rows:
        # The patterns it shares are those it was found by (the row keeps its terms only),
        # and its category, which the row keeps.
        theirs = c.patterns.get(r.case_id, set()) | {f"c:{r.category}"}
        like = domain.likeness(profile, c.weights, r.terms.split(), theirs)
        found.append(Found(case_key(r.kind, r.case_id), r.title, r.outcome, r.guideline_code,
                           r.decided_at, r.appeal, like))
    found.sort(key=lambda f: (-f.likeness.score, -f.decided_at.timestamp(), f.key))
    return found[:limit]


def rebuild(session: Session, *, after: int = 0, batch: int = 500) -> tuple[int, int]:
    """Write the precedents of the next ``batch`` decided cases with an id above ``after``
    (their latest applied decision, its latest appeal outcome): the backfill for cases decided
    before this slice, run by ``idesk precedents rebuild``. Returns (last case id, count); a
    fixed number of statements a batch."""
    latest = (select(Decision.case_id, func.max(Decision.id).label("id"))
              .where(Decision.kind == "decision", Decision.status.in_(("applied", "reversed")),
                     Decision.case_id > after)
              .group_by(Decision.case_id).order_by(Decision.case_id).limit(batch).subquery())
    found = session.execute(
        select(Case, Decision, Guideline.code).join(latest, latest.c.case_id == Case.id)
        .join(Decision, Decision.id == latest.c.id)
        .outerjoin(Guideline, Guideline.id == Decision.guideline_id)).all()
    if not found:
        return after, 0
    cases = [c for c, _, _ in found]
    made = profiles(session, cases)
    write(session, [(c, d, code, made[c.id]) for c, d, code in found])
    appeals = session.execute(
        select(Decision.appeal_of_id, Decision.outcome)
        .where(Decision.kind == "appeal_outcome",
               Decision.appeal_of_id.in_([d.id for _, d, _ in found]))
        .order_by(Decision.id)).all()
    for contested_id, outcome in appeals:  # the latest last: it stands
        session.execute(update(Precedent).where(Precedent.decision_id == contested_id)
                        .values(appeal=outcome).execution_options(synchronize_session=False))
    return max(c.id for c in cases), len(cases)
