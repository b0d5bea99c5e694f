"""Queue settings in the console, for managers and admins: every queue (inactive ones too) with
its open cases, a new queue, a queue's edit form with its routing settings (in force, a form
for the next version, and the history), and deactivate/reactivate in place (htmx swaps the row;
without JavaScript the page reloads). The same service as the API decides every rule."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.cases.domain import CaseKind
from integrity_desk.errors import DeskError, InvalidInput
from integrity_desk.people.models import Team
from integrity_desk.routing import manage, settings
from integrity_desk.routing.models import Queue
from integrity_desk.routing.policy import MODES
from integrity_desk.routing.repository import visible_queues
from integrity_desk.routing.schemas import QueueRoutingIn
from integrity_desk.routing.service import get_queue
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.forms import checked
from integrity_desk.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)
Manager = Annotated[Viewer, Depends(page(Action.QUEUE_MANAGE))]
BASE = "/queue-settings"


def _form_values(form: FormData) -> dict[str, Any]:
    """The form as the service takes it; a value it cannot be raises InvalidInput naming it.
    A NUL is refused here as the API's guard refuses it (PostgreSQL cannot store one)."""
    values: dict[str, Any] = {
        "name": str(form.get("name") or "").strip(),
        "team": str(form.get("team") or ""),
        "kinds": [str(v) for v in form.getlist("kinds")],
        "languages": sorted({p.strip() for p in str(form.get("languages") or "").split(",")
                             if p.strip()}),
    }
    for name, value in values.items():
        if "\x00" in (value if isinstance(value, str) else "".join(value)):
            raise InvalidInput("holds a NUL character", field=name)
    for name, expected in (("tier", "1, 2 or 3"),
                           ("position", f"a whole number from 0 to {manage.MAX_POSITION:,}")):
        raw = str(form.get(name) or "").strip()
        # Length first: int() of a long enough string is itself slow, and no value is long.
        if len(raw) > 9 or not raw.lstrip("-").isdigit():
            raise InvalidInput(expected, field=name)
        values[name] = int(raw)
    return values


def _queue(session: Session, slug: str) -> Queue:
    try:
        return get_queue(session, slug)
    except DeskError:
        raise PageError(404, "No such queue", f"There is no queue {slug!r}.") from None


def _choices(session: Session) -> dict[str, Any]:
    return {"teams": list(session.scalars(select(Team.name).order_by(Team.name))),
            "kinds": [k.value for k in CaseKind], "max_position": manage.MAX_POSITION}


def _list(request: Request, session: Session, viewer: Viewer, *, values: dict[str, Any],
          errors: dict[str, str], status_code: int = 200) -> Response:
    queues = visible_queues(session, viewer.user)  # a manager: every queue, active or not
    return render(request, "queue_settings/list.html", {
        "viewer": viewer, "title": "Queue settings", "rows": manage.queue_states(session, queues),
        "values": values, "errors": errors, **_choices(session)}, status_code=status_code)


@router.get(BASE)
def queue_settings(request: Request, session: SessionDep, viewer: Manager) -> Response:
    return _list(request, session, viewer, values={"tier": 1, "position": 100}, errors={})


@router.post(BASE)
async def add(request: Request, session: SessionDep, viewer: Manager) -> Response:
    form = await request.form()
    slug = str(form.get("slug") or "").strip()
    shown: dict[str, Any] = {**{k: form.get(k) for k in ("name", "team", "tier", "position",
                                                          "languages")},
                             "slug": slug, "kinds": form.getlist("kinds")}
    try:
        if not manage.SLUG.fullmatch(slug):
            raise InvalidInput("lower-case letters, digits and dashes, 2 to 63", field="slug")
        manage.create_queue(session, actor=viewer.actor, slug=slug, **_form_values(form))
    except DeskError as exc:
        session.rollback()
        return _list(request, session, viewer, values=shown,
                     errors={exc.field or "name": exc.message}, status_code=exc.status_code)
    return RedirectResponse(BASE, status_code=303)


def _routing_values(current: settings.RoutingSettings) -> dict[str, Any]:
    return {"mode": current.mode, "affinity": current.affinity,
            "required_certifications": ", ".join(current.required_certifications),
            "quality_weight": f"{current.quality_weight:g}",
            "ageing_per_hour": f"{current.ageing_per_hour:g}", "change_note": ""}


def _edit(request: Request, session: Session, viewer: Viewer, queue: Queue, *,
          values: dict[str, Any], errors: dict[str, str], status_code: int = 200,
          routing_values: dict[str, Any] | None = None,
          routing_errors: dict[str, str] | None = None) -> Response:
    history = settings.settings_history(session, queue.slug)
    in_force = history[0].settings if history else settings.routing_settings(session, queue.slug)
    return render(request, "queue_settings/edit.html", {
        "viewer": viewer, "title": f"Queue {queue.name}", "queue": queue, "values": values,
        "errors": errors, "in_force": in_force, "history": history, "modes": MODES,
        "routing_values": routing_values or _routing_values(in_force),
        "routing_errors": routing_errors or {}, **_choices(session)}, status_code=status_code)


@router.get(BASE + "/{slug}")
def edit(request: Request, session: SessionDep, viewer: Manager, slug: str) -> Response:
    queue = _queue(session, slug)
    return _edit(request, session, viewer, queue, values=_values(queue), errors={})


def _values(queue: Queue) -> dict[str, Any]:
    return {"name": queue.name, "team": queue.team.name if queue.team else "",
            "kinds": queue.kinds, "tier": queue.tier, "position": queue.position,
            "languages": ", ".join(queue.languages)}


@router.post(BASE + "/{slug}")
async def save(request: Request, session: SessionDep, viewer: Manager, slug: str) -> Response:
    form = await request.form()
    queue = _queue(session, slug)
    try:
        manage.update_queue(session, actor=viewer.actor, slug=slug, changes=_form_values(form))
    except DeskError as exc:
        session.rollback()
        shown = {**{k: form.get(k) for k in ("name", "team", "tier", "position", "languages")},
                 "kinds": form.getlist("kinds")}
        return _edit(request, session, viewer, _queue(session, slug), values=shown,
                     errors={exc.field or "name": exc.message}, status_code=exc.status_code)
    return RedirectResponse(f"{BASE}?saved={queue.slug}", status_code=303)


@router.post(BASE + "/{slug}/active")
async def set_active(request: Request, session: SessionDep, viewer: Manager,
                     slug: str) -> Response:
    """Deactivate or reactivate; a refusal (open cases, last queue of a kind, no team) is said
    in the page's alert region (htmx) or on an error page."""
    form = await request.form()
    change = manage.reactivate_queue if form.get("active") == "yes" else manage.deactivate_queue
    try:
        queue = change(session, actor=viewer.actor, slug=slug)
    except DeskError as exc:
        session.rollback()
        title = "Not reactivated" if form.get("active") == "yes" else "Not deactivated"
        raise PageError(exc.status_code, title, exc.message) from None
    if is_htmx(request):
        row = manage.queue_states(session, [queue])[0]
        return render(request, "queue_settings/_row.html", {"viewer": viewer, "row": row})
    return RedirectResponse(BASE, status_code=303)


ROUTING_LABELS = {"mode": "Mode", "required_certifications": "Required certifications",
                  "quality_weight": "Quality weight", "ageing_per_hour": "Ageing per hour",
                  "affinity": "Affinity", "change_note": "Why the settings change"}


@router.post(BASE + "/{slug}/routing")
async def save_routing(request: Request, session: SessionDep, viewer: Manager,
                       slug: str) -> Response:
    """The next version of the queue's routing settings, from the whole form and its note."""
    form = await request.form()
    queue = _queue(session, slug)
    shown = {"mode": str(form.get("mode") or ""), "affinity": form.get("affinity") == "yes",
             **{k: str(form.get(k) or "") for k in ("required_certifications", "quality_weight",
                                                    "ageing_per_hour", "change_note")}}
    body = checked(QueueRoutingIn, {
        **shown, "required_certifications": sorted(
            {p.strip() for p in shown["required_certifications"].split(",") if p.strip()})},
        labels=ROUTING_LABELS)
    changes = body.model_dump(exclude_unset=True)
    note = changes.pop("change_note")
    try:
        settings.change_routing_settings(session, actor=viewer.actor, slug=slug,
                                         changes=changes, note=note)
    except DeskError as exc:
        session.rollback()
        fresh = _queue(session, slug)
        return _edit(request, session, viewer, fresh, values=_values(fresh),
                     errors={}, routing_values=shown,
                     routing_errors={exc.field or "change_note": exc.message},
                     status_code=exc.status_code)
    return RedirectResponse(f"{BASE}/{queue.slug}?routing=saved#routing", status_code=303)
