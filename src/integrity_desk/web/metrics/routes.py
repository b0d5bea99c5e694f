"""The queues page and the manager overview: the metrics snapshot, shaped into links.

Every number on both pages links to the case list that shows the cases behind it
(``/cases?…``, the list's query parameters of docs/console.md), so the view builds each link
here, next to the number, and the templates only print them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.db import utcnow
from integrity_desk.metrics import service as metrics
from integrity_desk.metrics.domain import PRIORITIES
from integrity_desk.metrics.service import FlowDay, QueueCounts
from integrity_desk.routing.repository import team_scoped
from integrity_desk.web.cases.link_views import cases_link
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)

QueuePage = Annotated[Viewer, Depends(page(Action.QUEUE_READ))]
OverviewPage = Annotated[Viewer, Depends(page(Action.OVERVIEW_READ))]



@dataclass(frozen=True)
class Count:
    """A number and the list behind it."""

    value: int
    href: str


@dataclass(frozen=True)
class QueueRow:
    slug: str
    name: str
    team: str | None
    active: bool
    total: Count
    by_priority: list[Count]
    on_track: Count
    at_risk: Count
    breached: Count
    unassigned: Count


# Every backlog number counts open cases, so every link behind one says so: without it the
# list would add the closed and merged cases ("207 open" opened 279).
OPEN = {"state": "open"}


def queue_row(q: QueueCounts) -> QueueRow:
    link = {"queue": q.slug, **OPEN}
    return QueueRow(
        q.slug, q.name, q.team, q.active,
        total=Count(q.total, cases_link(**link)),
        by_priority=[Count(q.by_priority.get(p, 0), cases_link(**link, priority=f"P{p}"))
                     for p in PRIORITIES],
        on_track=Count(q.on_track, cases_link(**link, sla="on_track")),
        at_risk=Count(q.at_risk, cases_link(**link, sla="at_risk")),
        breached=Count(q.breached, cases_link(**link, sla="breached")),
        unassigned=Count(q.unassigned, cases_link(**link, assignee="none")),
    )


@dataclass(frozen=True)
class FlowRow:
    day: date
    opened: Count
    closed: Count


def flow_row(f: FlowDay) -> FlowRow:
    day = f.day.isoformat()
    return FlowRow(f.day, Count(f.opened, cases_link(opened_on=day)),
                   Count(f.closed, cases_link(closed_on=day)))


def flow_json(rows: list[FlowRow]) -> str:
    """The chart's data, for a <script type="application/json"> block (no executable script,
    so the CSP allows it); '<' is escaped so no text can close the block."""
    data = {"days": [r.day.isoformat() for r in rows],
            "opened": [r.opened.value for r in rows],
            "closed": [r.closed.value for r in rows]}
    return json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")


def flow_totals(rows: list[FlowRow]) -> tuple[Count, Count]:
    """Opened and closed over the whole window, each with the list of those cases."""
    since = rows[0].day.isoformat() if rows else ""
    return (Count(sum(r.opened.value for r in rows), cases_link(opened_since=since)),
            Count(sum(r.closed.value for r in rows), cases_link(closed_since=since)))


def _snapshot(request: Request, session: SessionDep) -> metrics.SnapshotInfo:
    """The counts' snapshot, recomputed here only if the worker has let it go stale."""
    info, _ = metrics.current(
        session, now=utcnow(), max_age_seconds=request.app.state.settings.metrics_stale_seconds)
    return info


@router.get("/queues")
def queues(request: Request, session: SessionDep, viewer: QueuePage) -> Response:
    snapshot = _snapshot(request, session)
    rows = [queue_row(q) for q in metrics.queue_counts(session, viewer.user)]
    return render(request, "queues.html", {
        "viewer": viewer, "title": "Queues", "rows": rows, "snapshot": snapshot,
        "priorities": PRIORITIES, "team_scoped": team_scoped(viewer.user)})


@router.get("/overview")
def overview(request: Request, session: SessionDep, viewer: OverviewPage) -> Response:
    snapshot = _snapshot(request, session)
    data = metrics.overview(session, viewer.user, snapshot=snapshot, now=utcnow())
    flow = [flow_row(f) for f in data.flow]
    day = snapshot.day.isoformat()
    return render(request, "overview.html", {
        "viewer": viewer, "title": "Manager overview", "snapshot": snapshot,
        "priorities": PRIORITIES, "rows": [queue_row(q) for q in data.queues],
        "totals": [Count(data.totals_by_priority.get(p, 0),
                         cases_link(priority=f"P{p}", **OPEN)) for p in PRIORITIES],
        "total_open": Count(data.total_open, cases_link(**OPEN)),
        "at_risk": data.at_risk, "at_risk_all": cases_link(sla="at_risk", sort="due"),
        "breaches": data.breaches,
        "breaches_today": Count(snapshot.breaches_today, cases_link(breached_on=day)),
        "flow": flow, "flow_json": flow_json(flow),
        "flow_totals": flow_totals(flow),
        "oldest": data.oldest, "oldest_all": cases_link(sort="created")})
