"""Your account: who you are here, and your API tokens. (The landing page, My work, is
web/routing/work_routes.py.)"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.db import utcnow
from integrity_desk.errors import NotFound
from integrity_desk.people import service as people
from integrity_desk.people.models import Role
from integrity_desk.web.deps import MyPage
from integrity_desk.web.errors import PageError
from integrity_desk.web.people.views import person_view, token_row
from integrity_desk.web.render import is_htmx, render
from integrity_desk.wellbeing import service as wellbeing

router = APIRouter(include_in_schema=False)


@router.get("/account")
def account(request: Request, session: SessionDep, viewer: MyPage,
            saved: str | None = None) -> Response:
    """Who you are, your harm-shield setting and today's count (with everyone's for managers
    and admins, who look after their people), and your tokens."""
    now = utcnow()
    tokens = [token_row(t) for t in people.list_tokens(session, viewer.user.id)]
    oversees = viewer.user.role in (Role.MANAGER, Role.ADMIN)
    return render(request, "account.html", {
        "viewer": viewer, "me": person_view(viewer.user), "tokens": tokens,
        "title": "Your account", "harm": wellbeing.standing(session, viewer.user, now),
        "blur_harm": viewer.user.blur_harm, "saved": saved == "blur",
        "people_today": wellbeing.people_today(session, now) if oversees else None})


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: RowId, session: SessionDep,
                 viewer: MyPage) -> Response:
    """Revoke one of your tokens: the row again for htmx, back to the account page otherwise."""
    try:
        token = people.revoke_token(session, token_id=token_id, owner_id=viewer.user.id,
                                    actor=viewer.actor)
    except NotFound as exc:
        raise PageError(404, "No such token", "You have no token with that number.") from exc
    if is_htmx(request):
        return render(request, "_token_row.html", {"viewer": viewer, "t": token_row(token)})
    return RedirectResponse("/account", status_code=303)
