"""Search: structured look-ups first, then ranked free text; only cases the person may read.

Every statement starts from ``readable_clause``, so a vendor agent's search sees their team's
queues only, as every list does. One search is a fixed number of statements: the structured
look-ups (one UNION ALL), the ranked free-text candidates (one), the page's cases (one) and the
matching comments of the page (one).

Free text ranks a bounded set of candidates: the newest ``CANDIDATES`` matches of the case text
and of the comments (each found through its GIN / FTS5 index, or by walking the primary key
backwards when a word is in most cases), then orders them by relevance. A word that is in half a
million cases thus costs no more than a rare one; the page says when the results were capped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.orm import Session, contains_eager, load_only, raiseload

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.domain import case_key
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.cases.repository import readable_clause
from integrity_desk.errors import InvalidInput
from integrity_desk.people.models import User
from integrity_desk.privacy.domain import mask_text
from integrity_desk.routing.models import Queue
from integrity_desk.search import domain
from integrity_desk.search.domain import ParsedQuery, Segment
from integrity_desk.search.models import CASES_DOC, CASES_FTS, COMMENT_DOC_PG, COMMENTS_FTS
from integrity_desk.subjects.models import Business, Review, Reviewer

PER_PAGE = 25
MAX_PAGES = 20  # offset-capped paging: the 500 best hits
CANDIDATES = 300  # newest matches per free-text source that are ranked
STRUCTURED_LIMIT = PER_PAGE * MAX_PAGES
COMMENT_WEIGHT = 0.5  # a word in a comment counts half a word in the description

# Order of the sources on the page: structured first, then by relevance.
SOURCE_ORDER = {"key": 0, "review": 1, "business": 2, "reviewer": 3, "organisation": 4}


@dataclass(frozen=True)
class Hit:
    case: Case
    matched: str  # key | review | business | reviewer | organisation | text | comment
    label: str  # what matched, for the person: "review r-123", "comment"
    title: list[Segment]
    snippet: list[Segment] | None

    @property
    def key(self) -> str:
        return self.case.key


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    has_more: bool = False
    capped: bool = False
    recognised: list[str] = field(default_factory=list)  # what the query was read as
    jump_to: str | None = None  # the key of the one case a case key names


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# -- structured look-ups ---------------------------------------------------------------------------
def _subject_branch(user: User, kind: str, model: Any, column: Any, values: list[str],
                    name: str) -> Select[Any]:
    ids = select(model.id).where(column.in_(values))
    return (select(Case.id.label("case_id"), literal(kind, String).label("source"),
                   literal(f"{kind} {values[0]}", String).label("label"))
            .join(CaseSubject, CaseSubject.case_id == Case.id)
            .where(CaseSubject.subject_type == name, CaseSubject.subject_id.in_(ids),
                   readable_clause(user)))


def _reviews_of_branch(user: User, kind: str, owner: Any, values: list[str],
                       review_column: Any) -> Select[Any]:
    """Cases about the reviews a reviewer wrote, or a business received: a reviewer named in a
    search is found in the flags on their reviews, not only where their account is a subject
    (ix_reviews_reviewer_id / ix_reviews_business_id, then the subjects' index)."""
    column = owner.ref if kind == "reviewer" else owner.domain
    reviews = select(Review.id).where(review_column.in_(
        select(owner.id).where(column.in_(values))))
    what = "a review by" if kind == "reviewer" else "a review of"
    return (select(Case.id.label("case_id"), literal(kind, String).label("source"),
                   literal(f"{what} {kind} {values[0]}", String).label("label"))
            .join(CaseSubject, CaseSubject.case_id == Case.id)
            .where(CaseSubject.subject_type == "review", CaseSubject.subject_id.in_(reviews),
                   readable_clause(user)))


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _structured(session: Session, user: User, parsed: ParsedQuery
                ) -> list[tuple[int, str, str]]:
    """(case id, source, label) of every structured hit, best first, in one statement."""
    branches: list[Select[Any]] = []
    if parsed.key is not None:
        kind, number = parsed.key
        where = [Case.id == number, readable_clause(user)]
        if kind is not None:
            where.append(Case.kind == kind)
        branches.append(select(Case.id.label("case_id"), literal("key", String).label("source"),
                               literal("case key", String).label("label")).where(*where))
    if parsed.review_refs:
        branches.append(_subject_branch(user, "review", Review, Review.ref,
                                        parsed.review_refs, "review"))
    if parsed.domains:
        branches.append(_subject_branch(user, "business", Business, Business.domain,
                                        parsed.domains, "business"))
        branches.append(_reviews_of_branch(user, "business", Business, parsed.domains,
                                           Review.business_id))
    if parsed.reviewer_refs:
        branches.append(_subject_branch(user, "reviewer", Reviewer, Reviewer.ref,
                                        parsed.reviewer_refs, "reviewer"))
        branches.append(_reviews_of_branch(user, "reviewer", Reviewer, parsed.reviewer_refs,
                                           Review.reviewer_id))
    if parsed.organisation:
        org = parsed.organisation.lower()
        lowered = func.lower(Case.requester_organisation)
        # The range uses ix_cases_requester_org; LIKE keeps exactly the prefix matches.
        branches.append(
            select(Case.id.label("case_id"), literal("organisation", String).label("source"),
                   Case.requester_organisation.label("label"))
            .where(lowered >= org, lowered < org + "\U0010ffff",
                   lowered.like(_like_escape(org) + "%", escape="\\"), readable_clause(user)))
    if not branches:
        return []
    # Each branch bounded in a subquery of its own (SQLite allows no LIMIT in a UNION's arm).
    union = union_all(*[select(b.order_by(Case.id.desc()).limit(STRUCTURED_LIMIT).subquery())
                        for b in branches]).subquery()
    rows = session.execute(select(union.c.case_id, union.c.source, union.c.label)
                           .order_by(union.c.case_id.desc())).all()
    rows.sort(key=lambda r: SOURCE_ORDER[r.source])
    return [(r.case_id, r.source, r.label or r.source) for r in rows]


# -- free text -------------------------------------------------------------------------------------
_CASES_DOC = literal_column(f"cases.{CASES_DOC}")
_COMMENT_DOC = literal_column(COMMENT_DOC_PG)
_SIMPLE = literal_column("'simple'::regconfig")
_FTS_CASES = table(CASES_FTS, column("rowid", Integer))
_FTS_COMMENTS = table(COMMENTS_FTS, column("rowid", Integer), column("case_id", Integer))


def _tsquery() -> ColumnElement[Any]:
    return func.websearch_to_tsquery(_SIMPLE, bindparam("q", type_=String))


def _text_candidates_pg(user: User) -> Select[Any]:
    tsq = _tsquery()
    cases = (select(Case.id.label("case_id"), _CASES_DOC.label("doc"))
             .where(_CASES_DOC.op("@@")(tsq), readable_clause(user))
             .order_by(Case.id.desc()).limit(CANDIDATES).subquery())
    comments = (select(AuditEvent.case_id.label("case_id"), _COMMENT_DOC.label("doc"))
                .join(Case, Case.id == AuditEvent.case_id)
                .where(AuditEvent.category == "comment", _COMMENT_DOC.op("@@")(tsq),
                       readable_clause(user))
                .order_by(AuditEvent.id.desc()).limit(CANDIDATES).subquery())
    return union_all(
        select(cases.c.case_id, func.ts_rank(cases.c.doc, tsq).label("rank"),
               literal("text", String).label("source")),
        select(comments.c.case_id,
               (func.ts_rank(comments.c.doc, tsq) * COMMENT_WEIGHT).label("rank"),
               literal("comment", String).label("source")),
    )


def _text_candidates_sqlite(user: User) -> Select[Any]:
    fts_cases = literal_column(CASES_FTS)
    fts_comments = literal_column(COMMENTS_FTS)
    match = bindparam("q", type_=String)
    cases = (select(_FTS_CASES.c.rowid.label("case_id"),
                    (-func.bm25(fts_cases, 4.0, 1.0)).label("rank"))
             .join(Case, Case.id == _FTS_CASES.c.rowid)
             .where(fts_cases.op("MATCH")(match), readable_clause(user))
             .order_by(_FTS_CASES.c.rowid.desc()).limit(CANDIDATES).subquery())
    comments = (select(_FTS_COMMENTS.c.case_id.label("case_id"),
                       (-func.bm25(fts_comments) * COMMENT_WEIGHT).label("rank"))
                .join(Case, Case.id == _FTS_COMMENTS.c.case_id)
                .where(fts_comments.op("MATCH")(match), readable_clause(user))
                .order_by(_FTS_COMMENTS.c.rowid.desc()).limit(CANDIDATES).subquery())
    return union_all(
        select(cases.c.case_id, cases.c.rank, literal("text", String).label("source")),
        select(comments.c.case_id, comments.c.rank, literal("comment", String).label("source")),
    )


def _text_param(session: Session, text: str) -> str | None:
    if _dialect(session) == "postgresql":
        return text
    return domain.fts5_match(text)


def _free_text(session: Session, user: User, text: str) -> tuple[list[tuple[int, str]], bool]:
    """(case id, source) of the free-text hits by relevance (at most 2 × CANDIDATES ids), and
    whether the candidates were capped."""
    param = _text_param(session, text)
    if param is None:
        return [], False
    pg = _dialect(session) == "postgresql"
    hits = (_text_candidates_pg(user) if pg else _text_candidates_sqlite(user)).subquery()
    per_case = (select(hits.c.case_id, func.max(hits.c.rank).label("rank"),
                       func.max(hits.c.source).label("source"),  # "text" wins over "comment"
                       func.count().over().label("total"))
                .group_by(hits.c.case_id)
                .order_by(func.max(hits.c.rank).desc(), hits.c.case_id.desc()))
    rows = session.execute(per_case, {"q": param}).all()
    capped = bool(rows) and rows[0].total >= CANDIDATES
    return [(r.case_id, r.source) for r in rows], capped


_CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")


# -- the page --------------------------------------------------------------------------------------
# What a hit shows: the columns of a result row, not the whole case (details, SLA …).
_SHOWN = (Case.kind, Case.title, Case.description, Case.status, Case.priority, Case.queue_id,
          Case.text_harm)


def _load(session: Session, ids: Sequence[int]) -> dict[int, Case]:
    if not ids:
        return {}
    rows = session.scalars(
        select(Case).outerjoin(Case.queue)
        .options(load_only(*_SHOWN), contains_eager(Case.queue).options(
            load_only(Queue.slug), raiseload(Queue.team)))
        .where(Case.id.in_(list(ids)))).unique()
    return {c.id: c for c in rows}


def _comment_bodies(session: Session, text: str, ids: Sequence[int]) -> dict[int, str]:
    """The newest matching comment of each case on the page (masked), in one statement."""
    param = _text_param(session, text)
    if param is None or not ids:
        return {}
    if _dialect(session) == "postgresql":
        query = (select(AuditEvent.case_id, AuditEvent.payload)
                 .where(AuditEvent.case_id.in_(list(ids)), AuditEvent.category == "comment",
                        _COMMENT_DOC.op("@@")(_tsquery()))
                 .order_by(AuditEvent.id.desc()))
    else:
        query = (select(AuditEvent.case_id, AuditEvent.payload)
                 .join(_FTS_COMMENTS, _FTS_COMMENTS.c.rowid == AuditEvent.id)
                 .where(literal_column(COMMENTS_FTS).op("MATCH")(bindparam("q", type_=String)),
                        _FTS_COMMENTS.c.case_id.in_(list(ids)))
                 .order_by(AuditEvent.id.desc()))
    out: dict[int, str] = {}
    for case_id, payload in session.execute(query, {"q": param}):
        if case_id not in out:
            try:
                out[case_id] = mask_text(str(json.loads(payload).get("body") or ""))
            except (ValueError, AttributeError):
                continue
    return out


def _recognised(parsed: ParsedQuery) -> list[str]:
    out = []
    if parsed.key is not None:
        kind, number = parsed.key
        out.append(f"case {case_key(kind, number)}" if kind else f"case number {number}")
    out += [f"review {r}" for r in parsed.review_refs if parsed.text is None]
    out += [f"business {d}" for d in parsed.domains]
    out += [f"reviewer {r}" for r in parsed.reviewer_refs if parsed.text is None]
    if parsed.organisation and parsed.text is None:
        out.append(f"requester organisation {parsed.organisation}")
    return out


def search(session: Session, user: User, q: str | None, *, page: int = 1,
           per_page: int = PER_PAGE) -> SearchResult:
    """One page of what ``q`` finds among the cases ``user`` may read."""
    cleaned = domain.clean(q)
    if not 1 <= page <= MAX_PAGES:
        raise InvalidInput(f"page is between 1 and {MAX_PAGES}; refine the search to see "
                           "other cases", field="page")
    parsed = domain.parse_query(cleaned)
    if _dialect(session) == "postgresql":
        # Plans for these words, not a generic one: how many cases hold a word decides
        # between the GIN index and walking the newest cases (a generic plan for the prepared
        # statement guessed wrong by 3x). SET LOCAL ends with the request's transaction.
        session.execute(_CUSTOM_PLANS)
    result = SearchResult(query=cleaned, page=page, recognised=_recognised(parsed))
    structured = _structured(session, user, parsed)
    if parsed.explicit_key and parsed.key and len(structured) == 1:
        result.jump_to = case_key(*parsed.key)
    seen: dict[int, tuple[str, str]] = {}
    for case_id, source, label in structured:
        seen.setdefault(case_id, (source, label))
    if parsed.text is not None:
        text_hits, result.capped = _free_text(session, user, parsed.text)
        for case_id, source in text_hits:
            seen.setdefault(case_id, (source, "comment" if source == "comment" else "text"))
    order = list(seen)
    skip = (page - 1) * per_page
    window = order[skip:skip + per_page + 1]
    result.has_more = len(window) > per_page and page < MAX_PAGES
    window = window[:per_page]
    cases = _load(session, window)
    terms = domain.highlight_terms(parsed.text or "")
    comment_ids = [i for i in window if seen[i][0] == "comment"]
    bodies = _comment_bodies(session, parsed.text, comment_ids) if parsed.text else {}
    for case_id in window:
        case = cases.get(case_id)
        if case is None:  # merged away or deleted since: nothing to show
            continue
        source, label = seen[case_id]
        title = mask_text(case.title)
        if source == "comment":
            snip = domain.snippet(bodies.get(case_id, ""), terms)
        else:
            snip = domain.snippet(mask_text(case.description or ""), terms) if terms else None
        result.hits.append(Hit(case=case, matched=source, label=label,
                               title=domain.segments(title, terms), snippet=snip))
    return result
