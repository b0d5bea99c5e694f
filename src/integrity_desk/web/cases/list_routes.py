"""The case list (every filter of the console's contract, keyset paging) and bulk actions on a
selection of it (confirmed first, then applied all or nothing).

Filters are read from the query string here, each bad value answered by the list page itself
with a 422 naming the field (so the form is still there to fix it); the query is
cases.repository.list_cases, the same the API lists with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import SessionDep
from integrity_desk.cases import bulk_actions as bulk
from integrity_desk.cases import repository as repo
from integrity_desk.cases import team_scope
from integrity_desk.cases.domain import CaseStatus, Priority, parse_case_key
from integrity_desk.db import utcnow
from integrity_desk.errors import DeskError, InvalidInput
from integrity_desk.people.models import User
from integrity_desk.routing.repository import visible_queues
from integrity_desk.routing.service import possible_assignees
from integrity_desk.web import forms
from integrity_desk.web.cases.list_views import KIND_LABELS, STATUS_LABELS, case_row
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page(Action.CASE_READ))]
Worker = Annotated[Viewer, Depends(page(Action.CASE_WORK))]

PAGE_SIZE = 50
SORT_LABELS = {"priority": "Priority, then due", "due": "Resolution due", "created": "Oldest first",
               "-created": "Newest first", "-updated": "Recently updated"}
SLA_FILTERS = {"on_track": "On track", "at_risk": "At risk", "breached": "Breached"}
STATE_FILTERS = {"open": "Open", "closed": "Closed or merged"}
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
FIELD_LABELS = {"queue": "Queue", "team": "Team", "vendor": "Vendor", "status": "Status",
                "kind": "Kind", "priority": "Priority",
                "assignee": "Assignee", "sla": "SLA", "language": "Language", "tag": "Tag",
                "sort": "Sort", "cursor": "Page", "opened_on": "Opened on",
                "closed_on": "Closed on", "breached_on": "Breached on", "state": "State",
                "opened_since": "Opened since", "closed_since": "Closed since",
                "opened_before": "Opened before", "closed_before": "Closed before"}
SINGLE = ("queue", "team", "vendor", "assignee", "sla", "language", "tag", "sort", "opened_on",
          "closed_on", "breached_on", "state", "opened_since", "closed_since", "opened_before",
          "closed_before")


@dataclass
class ListQuery:
    """The filters as given (to fill the form in again) and as the repository takes them."""

    form: dict[str, Any] = field(default_factory=dict)
    filters: repo.CaseFilters = field(default_factory=repo.CaseFilters)
    sort: str = "priority"
    cursor: str | None = None


def _day(name: str, value: str) -> date:
    try:
        if not DATE_PATTERN.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("a day is written YYYY-MM-DD", field=name) from exc


def parse_query(request: Request, user: User, queue_slugs: set[str],
                team_names: set[str] | None = None,
                vendor_names: set[str] | None = None) -> ListQuery:
    """The list's query string, or InvalidInput naming the first bad field. A queue, team or
    vendor must be one the form offers this person (what they may know of)."""
    params = request.query_params
    q = ListQuery()
    q.form = {name: (params.get(name) or "").strip() for name in SINGLE}
    for name in ("status", "kind", "priority"):
        q.form[name] = [v for v in params.getlist(name) if v]
    f = q.filters
    f.status = q.form["status"]
    if set(f.status) - {s.value for s in CaseStatus}:
        raise InvalidInput(f"unknown status {sorted(set(f.status) - set(STATUS_LABELS))}",
                           field="status")
    f.kind = q.form["kind"]
    if set(f.kind) - set(KIND_LABELS):
        raise InvalidInput(f"unknown kind {sorted(set(f.kind) - set(KIND_LABELS))}",
                           field="kind")
    try:
        f.priority = [Priority(v.upper()).rank for v in q.form["priority"]]
    except ValueError as exc:
        raise InvalidInput("priority is one of P0, P1, P2, P3, P4", field="priority") from exc
    form = q.form
    if form["queue"]:
        if form["queue"] not in queue_slugs:
            raise InvalidInput(f"no queue {form['queue']!r}", field="queue")
        f.queue = form["queue"]
    for name, known in (("team", team_names), ("vendor", vendor_names)):
        if form[name]:
            if form[name] not in (known or set()):
                raise InvalidInput(f"no {name} named {form[name]!r}", field=name)
            setattr(f, name, form[name])
    assignee = form["assignee"]
    if assignee == "me":
        f.assignee_id = user.id
    elif assignee == "none":
        f.unassigned = True
    elif assignee:
        if not (assignee.isascii() and assignee.isdigit()) or int(assignee) > 2**31 - 1:
            raise InvalidInput("assignee is a person's number, me or none", field="assignee")
        f.assignee_id = int(assignee)
    if form["state"]:
        if form["state"] not in STATE_FILTERS:
            raise InvalidInput("state is open or closed", field="state")
        f.open = form["state"] == "open"
    if form["sla"]:
        if form["sla"] not in SLA_FILTERS:
            raise InvalidInput("sla is on_track, at_risk or breached", field="sla")
        if form["sla"] == "on_track":
            # What the queues page counts as on track: open, neither at risk nor breached
            # (paused cases and cases without a target among them).
            f.at_risk, f.breached = False, False
            f.open = True if f.open is None else f.open
        else:
            f.at_risk = True if form["sla"] == "at_risk" else None
            f.breached = True if form["sla"] == "breached" else None
    if form["language"]:
        if not LANGUAGE_PATTERN.match(form["language"]):
            raise InvalidInput("a language is a code such as en or de-AT", field="language")
        f.language = form["language"]
    if form["tag"]:
        if not bulk.TAG_PATTERN.match(form["tag"]):
            raise InvalidInput("a tag is 1 to 64 letters, digits or . : _ -", field="tag")
        f.tag = form["tag"]
    f.opened_on = _day("opened_on", form["opened_on"]) if form["opened_on"] else None
    f.closed_on = _day("closed_on", form["closed_on"]) if form["closed_on"] else None
    f.breached_on = _day("breached_on", form["breached_on"]) if form["breached_on"] else None
    f.opened_since = (_day("opened_since", form["opened_since"]) if form["opened_since"]
                      else None)
    f.closed_since = (_day("closed_since", form["closed_since"]) if form["closed_since"]
                      else None)
    f.opened_before = (_day("opened_before", form["opened_before"]) if form["opened_before"]
                       else None)
    f.closed_before = (_day("closed_before", form["closed_before"]) if form["closed_before"]
                       else None)
    if form["sort"]:
        if form["sort"] not in repo.SORTS:
            raise InvalidInput(f"sort is one of {', '.join(repo.SORTS)}", field="sort")
        q.sort = form["sort"]
    q.cursor = params.get("cursor") or None
    return q


def _page_url(request: Request, cursor: str | None) -> str:
    """This list with another cursor (None: its first page); empty fields left out."""
    items = [(k, v) for k, v in request.query_params.multi_items()
             if v and k not in ("cursor", "pick")]
    if cursor:
        items.append(("cursor", cursor))
    return "/cases" + (f"?{urlencode(items)}" if items else "")


def _choices(session: Session, viewer: Viewer) -> dict[str, Any]:
    """What the filter form and the bulk bar offer (four statements)."""
    people = possible_assignees(session, viewer.user)
    teams, vendors = team_scope.teams_to_offer(session, viewer.user)
    return {"queues": visible_queues(session, viewer.user, active_only=True), "people": people,
            "teams": teams, "vendors": vendors,
            "statuses": STATUS_LABELS, "kinds": KIND_LABELS,
            "priorities": [p.value for p in Priority], "sorts": SORT_LABELS,
            "sla_filters": SLA_FILTERS, "state_filters": STATE_FILTERS,
            "may_work": allows(viewer.user.role, Action.CASE_WORK)}


@router.get("/cases")
def case_list(request: Request, session: SessionDep, viewer: Reader) -> Response:
    context: dict[str, Any] = {"viewer": viewer, "title": "Cases", **_choices(session, viewer),
                               "max_selection": bulk.MAX_SELECTION}
    slugs = {q.slug for q in context["queues"]}
    try:
        query = parse_query(request, viewer.user, slugs, {t.name for t in context["teams"]},
                            {v.name for v in context["vendors"]})
        now = utcnow()
        cases, next_cursor = repo.list_cases(session, viewer.user, filters=query.filters,
                                             now=now, sort=query.sort, cursor=query.cursor,
                                             limit=PAGE_SIZE)
    except InvalidInput as exc:
        name = exc.field or "filter"
        context.update(form=_raw_form(request), rows=[], error_field=name,
                       error=f"{FIELD_LABELS.get(name, name)} ({name}): {exc.message}.")
        return render(request, "cases.html", context, status_code=422)
    context.update(
        form=query.form, rows=[case_row(c, now) for c in cases],
        next_url=_page_url(request, next_cursor) if next_cursor else None,
        first_url=_page_url(request, None) if query.cursor else None,
        here=_page_url(request, query.cursor), picked=_picked(request))
    return render(request, "cases.html", context)


def _with_picks(back: str, keys: list[str]) -> str:
    """The list at ``back`` with these cases ticked again (``pick``; see case_list)."""
    return back + ("&" if "?" in back else "?") + urlencode([("pick", k) for k in keys])


def _picked(request: Request) -> set[str]:
    """Cases to show ticked: a refused bulk action's selection, handed back to the list."""
    return {k for k in request.query_params.getlist("pick")[:bulk.MAX_SELECTION]
            if parse_case_key(k) is not None}


def _raw_form(request: Request) -> dict[str, Any]:
    params = request.query_params
    form: dict[str, Any] = {name: params.get(name) or "" for name in SINGLE}
    for name in ("status", "kind", "priority"):
        form[name] = params.getlist(name)
    return form


def _back(value: str) -> str:
    """Where the confirmation's Cancel and the result's link go: a case list, nothing else."""
    return value if value.startswith("/cases") and not value.startswith("/cases/") else "/cases"


def _assignee(session: Session, viewer: Viewer, value: str) -> User | None:
    if not (value.isascii() and value.isdigit()):
        return None
    return next((p for p in possible_assignees(session, viewer.user) if p.id == int(value)),
                None)


async def _form(request: Request) -> FormData:
    """The posted form, read once (the CSRF check read it already; Starlette keeps it)."""
    return await request.form()


@router.post("/cases/bulk")
def bulk_action(request: Request, viewer: Worker, session: SessionDep,
                form: Annotated[FormData, Depends(_form)]) -> Response:
    """First a confirmation naming the cases and what will happen to them (the action is
    tried and rolled back, so a refusal shows before anyone says yes); with confirm=yes the
    action itself, in one transaction: every case or none."""
    back = _back(forms.value(form, "back"))
    keys = [k for k in form.getlist("key") if isinstance(k, str)]
    assignee_value = forms.value(form, "assignee").strip()
    try:
        wanted = bulk.check_request(
            action=forms.value(form, "action"), keys=keys, reason=forms.value(form, "reason"),
            tag=forms.value(form, "tag"), assignee_given=bool(assignee_value),
            assignee=_assignee(session, viewer, assignee_value) if assignee_value else None)
    except InvalidInput as exc:
        raise PageError(422, "Nothing was changed", f"{exc.field}: {exc.message}.") from exc
    confirmed = forms.value(form, "confirm") == "yes"
    context: dict[str, Any] = {"viewer": viewer, "bulk": wanted, "back": back,
                               "keys": wanted.keys}
    try:
        done = [c.key for c in bulk.apply(session, wanted, user=viewer.user,
                                          actor=viewer.actor, now=utcnow())]
    except bulk.BulkRefused as refused:
        session.rollback()
        # The selection survives a refusal: back to the list with it ticked, or straight on
        # with the cases that did not refuse.
        stuck = {r.key for r in refused.refusals}
        others = [k for k in wanted.keys if k not in stuck]
        context.update(title="Nothing was changed", refusals=refused.refusals,
                       confirmed=confirmed, kept=_with_picks(back, wanted.keys),
                       rest=replace(wanted, keys=others) if others else None)
        return render(request, "bulk_refused.html", context, status_code=409)
    except DeskError as exc:  # a refusal outside any one case: nothing kept either
        session.rollback()
        raise PageError(exc.status_code, "Nothing was changed", exc.message) from exc
    if not confirmed:
        session.rollback()
        context.update(title="Confirm the bulk action", cases=done)
        return render(request, "bulk_confirm.html", context)
    context.update(title="Done", cases=done)
    return render(request, "bulk_done.html", context)
