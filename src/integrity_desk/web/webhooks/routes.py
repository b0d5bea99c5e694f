"""Webhooks in the console, for managers and admins: subscriptions, a new one (its secret
shown once), and per subscription its delivery log and dead letters with replay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import IdCursor, RowId
from integrity_desk.db import utcnow
from integrity_desk.errors import DeskError
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import render
from integrity_desk.webhooks import service
from integrity_desk.webhooks.domain import DESCRIPTIONS, EventType
from integrity_desk.webhooks.models import WebhookSubscription

router = APIRouter(include_in_schema=False)
Manager = Annotated[Viewer, Depends(page(Action.WEBHOOK_MANAGE))]
PAGE = 25


def _list(request: Request, session: SessionDep, viewer: Viewer, *, values: dict[str, object],
          errors: dict[str, str], status_code: int = 200) -> Response:
    rows, _ = service.listing(session, after=None, limit=200)
    return render(request, "webhooks/list.html", {
        "viewer": viewer, "title": "Webhooks", "rows": rows, "values": values,
        "errors": errors, "types": [(t.value, DESCRIPTIONS[t]) for t in EventType]},
        status_code=status_code)


@router.get("/webhooks")
def subscriptions(request: Request, session: SessionDep, viewer: Manager) -> Response:
    return _list(request, session, viewer, values={}, errors={})


@router.post("/webhooks")
async def add(request: Request, session: SessionDep, viewer: Manager) -> Response:
    form = await request.form()
    name, url = str(form.get("name") or ""), str(form.get("url") or "")
    types = [str(v) for v in form.getlist("event_types")]
    values: dict[str, object] = {"name": name, "url": url, "event_types": types}
    try:
        made = service.create(session, name=name, url=url, event_types=types, active=True,
                              user_id=viewer.user.id, actor=viewer.actor, now=utcnow(),
                              settings=request.app.state.settings)
    except DeskError as exc:
        session.rollback()
        return _list(request, session, viewer, values=values,
                     errors={exc.field or "name": exc.message}, status_code=exc.status_code)
    sub = made.subscription
    return _secret_page(request, viewer, sub, made.secret, "created")


def _secret_page(request: Request, viewer: Viewer, sub: WebhookSubscription, secret: str,
                 what: str) -> Response:
    return render(request, "webhooks/secret.html", {
        "viewer": viewer, "title": f"Secret of {sub.name}", "sub": sub, "secret": secret,
        "what": what})


@router.get("/webhooks/{subscription_id}")
def subscription(request: Request, session: SessionDep, viewer: Manager,
                 subscription_id: RowId, cursor: IdCursor = None,
                 replayed: int | None = None) -> Response:
    sub = service.get(session, subscription_id)
    attempts, next_cursor = service.attempts(session, sub, before=cursor, limit=PAGE)
    dead, _ = service.deliveries(session, sub, status="dead", before=None, limit=PAGE)
    counts = service.counts(session, [sub.id])[sub.id]
    return render(request, "webhooks/detail.html", {
        "viewer": viewer, "title": f"Webhook {sub.name}", "sub": sub, "attempts": attempts,
        "next_cursor": next_cursor, "dead": dead, "counts": counts, "replayed": replayed})


@router.post("/webhooks/{subscription_id}/replay")
async def replay(request: Request, session: SessionDep, viewer: Manager,
                 subscription_id: RowId) -> Response:
    form = await request.form()
    one = str(form.get("delivery_id") or "")
    sub = service.get(session, subscription_id)
    try:
        n = service.replay(session, sub, delivery_ids=[int(one)] if one.isdigit() else None,
                           actor=viewer.actor, now=utcnow())
    except DeskError as exc:
        session.rollback()
        raise PageError(exc.status_code, "Not replayed", exc.message) from None
    return RedirectResponse(f"/webhooks/{sub.id}?replayed={n}", status_code=303)


@router.post("/webhooks/{subscription_id}/active")
async def set_active(request: Request, session: SessionDep, viewer: Manager,
                     subscription_id: RowId) -> Response:
    form = await request.form()
    sub = service.get(session, subscription_id)
    service.change(session, sub, changes={"active": form.get("active") == "yes"},
                   actor=viewer.actor, now=utcnow(), settings=request.app.state.settings)
    return RedirectResponse(f"/webhooks/{sub.id}", status_code=303)


@router.post("/webhooks/{subscription_id}/rotate-secret")
def rotate(request: Request, session: SessionDep, viewer: Manager,
           subscription_id: RowId) -> Response:
    sub = service.get(session, subscription_id)
    secret = service.rotate_secret(session, sub, actor=viewer.actor, now=utcnow(),
                                   settings=request.app.state.settings)
    return _secret_page(request, viewer, sub, secret, "rotated")
