"""Counsel's part of the console: letters held for review (a legal notice's outcome letter) and
their release, and legal holds on a case — through the same services as the API
(messages.service.release, privacy.holds.place / lift), audited, one transaction each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import IdCursor, RowId
from integrity_desk.cases import repository as repo
from integrity_desk.db import utcnow
from integrity_desk.errors import NotFound
from integrity_desk.messages import service as messages
from integrity_desk.privacy import holds
from integrity_desk.web.decisions.routes import get_case, panel_response
from integrity_desk.web.decisions.views import (
    FormData,
    invalid,
    letter_view,
    safe_next,
    service_errors,
    text,
)
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)

Counsel = Annotated[Viewer, Depends(page(Action.MESSAGE_REVIEW))]
Holder = Annotated[Viewer, Depends(page(Action.LEGAL_HOLD))]
PAGE_SIZE = 25


@router.get("/messages/held", name="held_letters")
def held_letters(request: Request, session: SessionDep, viewer: Counsel,
                 cursor: IdCursor = None) -> Response:
    rows, next_cursor = messages.held(session, repo.readable_clause(viewer.user), after=cursor,
                                      limit=PAGE_SIZE)
    return render(request, "decision/held.html", {
        "viewer": viewer, "title": "Letters held for counsel",
        "letters": [letter_view(m, case.key) for m, case in rows],
        "next_cursor": next_cursor, "paged": cursor is not None})


@router.post("/messages/{message_id}/release")
def release(request: Request, message_id: RowId, form: FormData, session: SessionDep,
            viewer: Counsel) -> Response:
    """Send a held letter as written, or as corrected (``body``); the edit is recorded by
    fingerprint on the case's timeline."""
    edit = text(form, "body", max_length=50_000)
    corrected = edit if flag_edit(form) else None
    try:
        message, case = messages.get(session, message_id, repo.readable_clause(viewer.user))
    except NotFound as exc:
        raise PageError(404, "No such letter",
                        f"There is no letter {message_id} you may review.") from exc
    if corrected is not None and not corrected:
        raise invalid("body", "the letter needs a text (or untick 'send my corrected text')")
    with service_errors():
        messages.release(session, message, case, reviewer_id=viewer.user.id,
                         actor=viewer.actor, now=utcnow(), body=corrected)
    back = safe_next(text(form, "next", max_length=300), "/messages/held")
    if is_htmx(request):
        return render(request, "decision/_letter.html", {
            "viewer": viewer, "letter": letter_view(message, case.key), "may_release": True,
            "next": back, "lh": 3 if back == "/messages/held" else 5,
            "notice": f"Letter {message.id} released: it goes out with the next delivery."})
    return RedirectResponse(back, status_code=303)


def flag_edit(form: dict[str, object]) -> bool:
    return text(form, "edited", max_length=8) in ("1", "on", "true")


def _reason(form: dict[str, object]) -> str:
    reason = text(form, "reason", max_length=2000, required=True)
    if len(reason) < 3:
        raise invalid("reason", "at least 3 characters")
    return reason


@router.post("/cases/{key}/legal-holds")
def place_hold(request: Request, key: str, form: FormData, session: SessionDep,
               viewer: Holder) -> Response:
    reason = _reason(form)
    case = get_case(session, viewer, key, for_update=True)
    with service_errors():
        hold = holds.place(session, actor_user=viewer.user, actor=viewer.actor, now=utcnow(),
                           reason=reason, case=case)
    return panel_response(request, session, viewer, key,
                          f"Legal hold {hold.id} placed: the case's personal data is kept.")


@router.post("/cases/{key}/legal-holds/{hold_id}/lift")
def lift_hold(request: Request, key: str, hold_id: RowId, form: FormData, session: SessionDep,
              viewer: Holder) -> Response:
    reason = _reason(form)
    get_case(session, viewer, key)
    with service_errors():
        hold = holds.get_hold(session, viewer.user, hold_id)
        holds.lift(session, hold, actor_user=viewer.user, actor=viewer.actor, now=utcnow(),
                   reason=reason)
    return panel_response(request, session, viewer, key, f"Legal hold {hold_id} lifted.")
