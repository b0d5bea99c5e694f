"""The outbox in the console, for managers and admins: messages by delivery status, the mail
server's last answer, and the dead letters with a replay button (one or all) — through the
same services as the API and the CLI (messages.outbound)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import IdCursor
from integrity_desk.cases import repository as repo
from integrity_desk.db import utcnow
from integrity_desk.errors import DeskError
from integrity_desk.messages import outbound
from integrity_desk.messages.domain import Status
from integrity_desk.privacy.domain import mask_contact, mask_text
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
Replayer = Annotated[Viewer, Depends(page(Action.MESSAGE_REPLAY))]
PAGE = 50
# The tabs of the page, in the order an operator looks at them.
SHOWN = (Status.DEAD, Status.BOUNCED, Status.QUEUED, Status.SENT, Status.HELD,
         Status.NO_ADDRESS)


@router.get("/outbox")
def outbox(request: Request, session: SessionDep, viewer: Replayer,
           status: Annotated[Status, Query()] = Status.DEAD, cursor: IdCursor = None,
           replayed: Annotated[int | None, Query(ge=0)] = None) -> Response:
    readable = repo.readable_clause(viewer.user)
    rows, next_cursor = outbound.listing(session, readable, status=status.value,
                                         before=cursor, limit=PAGE)
    items = [{"m": m, "case_key": case.key, "to": mask_contact(m.recipient) or "–",
              "answer": mask_text(m.last_error or "")} for m, case in rows]
    return render(request, "outbox.html", {
        "viewer": viewer, "title": "Outbox", "status": status.value, "items": items,
        "counts": outbound.counts(session, readable), "shown": [s.value for s in SHOWN],
        "next_cursor": next_cursor, "paged": cursor is not None, "replayed": replayed,
        "email_on": request.app.state.settings.email_on})


@router.post("/outbox/replay")
async def replay(request: Request, session: SessionDep, viewer: Replayer) -> Response:
    """One dead letter (``message_id``) or all of them back to the queue."""
    form = await request.form()
    one = str(form.get("message_id") or "")
    if one and not one.isdigit():
        raise PageError(422, "Not replayed", "message_id: give the number of a dead letter.")
    try:
        n = outbound.replay(session, repo.readable_clause(viewer.user),
                            message_ids=[int(one)] if one else None, actor=viewer.actor,
                            now=utcnow())
    except DeskError as exc:
        session.rollback()
        raise PageError(exc.status_code, "Not replayed", exc.message) from None
    return RedirectResponse(f"/outbox?status=dead&replayed={n}", status_code=303)
