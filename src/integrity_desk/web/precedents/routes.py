"""Precedents in the console: ``GET /cases/{key}/precedents``.

The case view loads it with htmx into ``<section id="precedents">`` beside the decision panel,
after the page itself, so finding precedents never slows the case page down. Without
JavaScript the section holds a link to the same address, which then answers a whole page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.decisions import guidelines
from integrity_desk.precedents import service
from integrity_desk.web.decisions.routes import get_case
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page(Action.CASE_READ))]
APPEAL_WORDS = {"none": "not appealed", "upheld": "upheld on appeal",
                "overturned": "overturned on appeal",
                "partly_overturned": "partly overturned on appeal"}


@router.get("/cases/{key}/precedents")
def case_precedents(request: Request, key: str, session: SessionDep,
                    viewer: Reader) -> Response:
    case = get_case(session, viewer, key)
    found = service.find(session, viewer.user, case, limit=5)
    # People read guidelines by their titles, not their codes.
    titles = {g.code: g.title for g in guidelines.current(session)} if found else {}
    context = {"viewer": viewer, "key": case.key, "found": found, "appeal_words": APPEAL_WORDS,
               "guideline_titles": titles}
    name = "precedents/_panel.html" if is_htmx(request) else "precedents/page.html"
    return render(request, name, context)
