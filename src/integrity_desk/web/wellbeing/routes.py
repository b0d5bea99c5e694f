"""The harm shield in the console: what a page hides, the reveal of one hidden item, and the
person's own setting.

Hidden means not on the page at all: the reader gets a blurred placeholder and a label saying
why ("Hidden: threat of violence"), and the words themselves only from **Reveal**, a POST that
wellbeing.service records on the case's timeline and counts towards the person's day. With
htmx the revealed item replaces its placeholder; without scripts the case page comes back
with that one item shown.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.db import utcnow
from integrity_desk.errors import DeskError
from integrity_desk.privacy.domain import mask_text
from integrity_desk.subjects.models import Review
from integrity_desk.web.cases import routes as case_routes
from integrity_desk.web.deps import MyPage, Viewer, page
from integrity_desk.web.render import is_htmx, render
from integrity_desk.wellbeing import service as wellbeing
from integrity_desk.wellbeing.domain import parse_item

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page(Action.CASE_READ))]


@router.post("/cases/{key}/harm/reveal")
def reveal(request: Request, key: str, session: SessionDep, viewer: Reader,
           item: Annotated[str, Form()] = "", show: Annotated[str, Form()] = "all"
           ) -> Response:
    """Show one hidden item of the case, recorded as ``harm.revealed`` on its timeline."""
    case = case_routes.open_case(session, viewer, key)
    try:
        wanted = parse_item(item)
        harm = wellbeing.reveal(session, case, user=viewer.user, actor=viewer.actor,
                                now=utcnow(), item=wanted)
    except DeskError as exc:
        session.rollback()
        raise case_routes.page_error(exc) from exc
    show = case_routes.timeline_filter(show)
    if not is_htmx(request):
        return case_routes.case_page(request, session, viewer, case, show=show,
                                     revealed_item=wanted)
    title, text, language = case.title, case.description or "", case.language
    if wanted.kind == "review":
        row = session.execute(select(Review.title, Review.text, Review.language)
                              .where(Review.id == wanted.id)).one()
        title, text, language = row.title, row.text, row.language
    # The item, and the timeline out of band (it has the reveal on it now).
    context = case_routes.work_context(session, viewer, case, show=show)
    context.update(item=wanted.code, harm=harm, lang=language,
                   title=mask_text(title) if title else None, text=mask_text(text or ""))
    return render(request, "_harm_revealed.html", context)


@router.post("/account/blur-harm")
def set_blur(request: Request, session: SessionDep, viewer: MyPage,
             blur: Annotated[str, Form()] = "") -> Response:
    """Your own setting: blur harmful content (ticked) or show it (each item then counts)."""
    wellbeing.set_blur(session, viewer.user, blur=blur == "on", actor=viewer.actor)
    return RedirectResponse("/account?saved=blur", status_code=303)
