"""Search over HTTP: ``GET /search?q=`` answers what the console's search page shows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from integrity_desk.api.deps import CaseReader, SessionDep
from integrity_desk.search import service
from integrity_desk.search.domain import MAX_QUERY
from integrity_desk.triage.harm import parse_harms

router = APIRouter(tags=["search"])


class SearchHitOut(BaseModel):
    key: str
    kind: str
    title: str = Field(description="contact details in it masked")
    status: str
    priority: str
    queue: str | None
    matched: str = Field(description="key, review, business, reviewer, organisation, text "
                                     "or comment")
    label: str = Field(description="what matched, e.g. 'review r-123'")
    snippet: str | None = Field(description="where the words matched (description or "
                                            "comment), masked")
    highlights: list[str] = Field(description="the parts of the snippet that matched")
    harm: list[str] = Field(default_factory=list, description=(
        "what triage found harmful to view in the case's own title and description (threat, "
        "violence, hate, sexual; docs/wellbeing.md): the console hides its title and snippet"))


class SearchPage(BaseModel):
    query: str
    recognised: list[str] = Field(description="what the query was read as (a case key, a "
                                              "review, a business …)")
    items: list[SearchHitOut]
    page: int
    has_more: bool
    capped: bool = Field(description="free text ranked only the newest matches; refine it")


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
