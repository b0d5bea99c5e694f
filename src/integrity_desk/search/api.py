"""Search over HTTP: ``GET /search?q=`` answers what the console's search page shows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from integrity_desk.api.deps import CaseReader, SessionDep
from integrity_desk.search import service
from integrity_desk.search.domain import MAX_QUERY
from integrity_desk.search.schemas import SearchHitOut, SearchPage
from integrity_desk.triage.harm import parse_harms

router = APIRouter(tags=["search"])


def page_out(result: service.SearchResult) -> SearchPage:
    items = []
    for hit in result.hits:
        case = hit.case
        snippet = hit.snippet or []
        items.append(SearchHitOut(
            key=case.key, kind=case.kind, title="".join(t for t, _ in hit.title),
            status=case.status, priority=f"P{case.priority}",
            queue=case.queue.slug if case.queue else None, matched=hit.matched, label=hit.label,
            snippet="".join(t for t, _ in snippet) or None,
            highlights=sorted({t for t, marked in snippet if marked}),
            harm=list(parse_harms(case.text_harm))))
    return SearchPage(query=result.query, recognised=result.recognised, items=items,
                      page=result.page, has_more=result.has_more, capped=result.capped)


@router.get("/search", response_model=SearchPage)
def search(session: SessionDep, principal: CaseReader,
           q: Annotated[str | None, Query(description=f"at most {MAX_QUERY} characters")] = None,
           page: Annotated[int, Query(ge=1, le=service.MAX_PAGES)] = 1) -> SearchPage:
    """A case key, a review id or URL, a business domain or URL, a reviewer id, a requester
    organisation (prefix), or words (websearch syntax: "phrase", -not, or) over case titles,
    descriptions and comments. Only cases the caller may read."""
    return page_out(service.search(session, principal.user, q, page=page))
