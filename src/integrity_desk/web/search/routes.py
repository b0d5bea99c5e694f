"""The search page: ``GET /search?q=`` from the header's search box.

A case key that names one case the viewer may read goes straight to that case (303); anything
else lists what the search service found, best first, with the matched words highlighted. The
service does the masking and the reading rights; this module only shapes and renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.errors import InvalidInput
from integrity_desk.search import service
from integrity_desk.search.domain import Segment
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page(Action.CASE_READ))]

MATCHED = {"key": "case key", "review": "review", "business": "business",
           "reviewer": "reviewer", "organisation": "requester organisation",
           "text": "title or description", "comment": "comment"}


@dataclass(frozen=True)
class HitRow:
    key: str
    kind: str
    title: list[Segment]
    status: str
    priority: str
    queue: str | None
    matched: str
    snippet: list[Segment] | None
    harm: str | None = None  # the case's own text is harmful to view: hidden (harm shield)


def _rows(result: service.SearchResult) -> list[HitRow]:
    rows = []
    for hit in result.hits:
        case = hit.case
        matched = (hit.label if hit.matched in ("review", "business", "reviewer")
                   else f"{MATCHED[hit.matched]}: {hit.label}" if hit.matched == "organisation"
                   else MATCHED[hit.matched])
        rows.append(HitRow(key=case.key, kind=case.kind.replace("_", " "), title=hit.title,
                           status=case.status.replace("_", " "), priority=f"P{case.priority}",
                           queue=case.queue.slug if case.queue else None, matched=matched,
                           snippet=hit.snippet, harm=case.text_harm))
    return rows


def _page_url(q: str, number: int) -> str:
    return "/search?" + urlencode({"q": q, "page": number})


@router.get("/search")
def search_page(request: Request, session: SessionDep, viewer: Reader,
                q: str | None = None, page: str = "1") -> Response:
    try:
        number = int(page)
    except ValueError:
        raise PageError(422, "Cannot search",
                        "The result page (page) must be a whole number: 1, 2, …") from None
    try:
        result = service.search(session, viewer.user, q, page=number)
    except InvalidInput as exc:
        raise PageError(422, "Cannot search",
                        f"The search ({exc.field}) cannot be run: {exc.message}.") from exc
    if result.jump_to:
        return RedirectResponse(f"/cases/{result.jump_to}", status_code=303)
    return render(request, "search.html", {
        "viewer": viewer, "title": f"Search: {result.query}", "search_query": result.query,
        "result": result, "rows": _rows(result),
        "previous_url": _page_url(result.query, number - 1) if number > 1 else None,
        "next_url": _page_url(result.query, number + 1) if result.has_more else None,
    })
