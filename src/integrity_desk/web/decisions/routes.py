"""The decision panel of a case: its decisions with their effects, approvals and statements of
reasons; the form to decide (four eyes where the action needs it), approve or reject; and on an
appeal, the contested decision and the uphold / overturn form.

``GET /cases/{key}/decision`` is a fragment the case view loads into its
``<section id="decision-panel">``; ``GET /cases/{key}/decide`` is the same panel on a page of
its own. Every change goes through the services the API uses (decisions.service,
decisions.appeals), one transaction each; htmx requests get the panel back, plain forms are
redirected to the panel's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.cases import repository as repo
from integrity_desk.cases.domain import CaseKind
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.decisions import appeals, applying, approval, guidelines, panel, service
from integrity_desk.decisions.domain import ActionKind, ActionRequest, Automation, Ground
from integrity_desk.decisions.models import Decision, Guideline
from integrity_desk.errors import NotFound
from integrity_desk.messages import service as messages
from integrity_desk.privacy import holds
from integrity_desk.sops import service as sops
from integrity_desk.web.decisions.views import (
    FormData,
    Panel,
    appeal_view,
    decision_form,
    decision_view,
    flag,
    invalid,
    legal_view,
    many,
    number,
    service_errors,
    territorial_scope,
    text,
)
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Viewer, Depends(page(Action.CASE_READ))]
Worker = Annotated[Viewer, Depends(page(Action.CASE_WORK))]
Approver = Annotated[Viewer, Depends(page(Action.DECISION_APPROVE))]
MAX_ROWS = 200  # subjects a decision form may name (the API takes 500 actions)
# The members picked in the investigation workspace (review:REF …), at most a form's rows.
Picked = Annotated[list[str], Query(max_length=MAX_ROWS)]
# ``members=all``: the form's rows stand for every member of each type.
Members = Annotated[str | None, Query(max_length=8, pattern="^all$")]
DECIDED = {"awaiting_approval": ": it waits for a second person's approval.",
           "applying": ": it acts on more subjects than one transaction takes, so it is being "
                       "applied in chunks (progress below).",
           "applied": " and applied."}


def get_case(session: Session, viewer: Viewer, key: str, *, for_update: bool = False) -> Case:
    """The case if the viewer may read it; a 404 page otherwise (no existence leak)."""
    try:
        return repo.get_case(session, viewer.user, key, for_update=for_update)
    except NotFound as exc:
        raise PageError(404, "No such case", f"There is no case {key} you may open.") from exc


def _pick(current: list[Guideline], wanted: str | None, category: str | None) -> Guideline:
    by_code = {g.code: g for g in current}
    if wanted:
        if wanted not in by_code:
            raise invalid("guideline", f"no guideline {wanted!r} is in force")
        return by_code[wanted]
    return by_code.get(category or "") or current[0]


def _hint(case: Case, viewer: Viewer, awaiting: bool, applying: bool = False) -> str | None:
    if case.kind == CaseKind.APPEAL:
        return None
    if not allows(viewer.user.role, Action.CASE_WORK):
        return f"A {viewer.user.role} reads decisions but does not make them."
    if applying:
        return ("A decision is being applied in chunks; a new decision can be made once it "
                "is applied.")
    if awaiting:
        return ("A decision waits for a second person's approval; a new decision can be made "
                "once it is approved or rejected.")
    if case.status not in panel.DECIDABLE:
        status = case.status.replace("_", " ")
        return (f"The case is {status}. Claim it or have it assigned to you to decide it."
                if status in ("new", "triaged") else f"The case is {status}.")
    return None


def build_panel(session: Session, case: Case, viewer: Viewer, *, guideline: str | None = None,
                notice: str | None = None, selected: Sequence[str] = (),
                every_member: bool = False) -> Panel:
    """``selected``: the members picked in the workspace; ``every_member``: one row per type
    of member standing for all of them (a campaign's thousands, applied in chunks)."""
    role = viewer.user.role
    selected = [s[:300] for s in selected]  # a subject reference is at most this long
    data = panel.load(session, case)
    awaiting = any(d.status == "awaiting_approval" for d in data.decisions)
    applying = any(d.status == "applying" for d in data.decisions)
    decidable = (case.kind != CaseKind.APPEAL and case.status in panel.DECIDABLE
                 and allows(role, Action.CASE_WORK) and not awaiting and not applying)
    form = None
    if decidable:
        panel.add_reach(session, data, selected, every_member=every_member)
        current = guidelines.current(session)
        chosen = _pick(current, guideline, case.category)
        form = decision_form(data, current, chosen, service.suggestions(session, case, chosen),
                             panel.approval_needed(session))
    legal = (legal_view(data, messages.for_case(session, case))
             if case.kind == CaseKind.LEGAL_NOTICE else None)
    may_hold = allows(role, Action.LEGAL_HOLD)
    return Panel(
        key=case.key, kind=case.kind, status=case.status,
        decisions=[decision_view(d, data, viewer.user) for d in data.decisions],
        form=form, form_hint=_hint(case, viewer, awaiting, applying),
        appeal=appeal_view(data, viewer.user) if case.kind == CaseKind.APPEAL else None,
        legal=legal, holds=holds.holds_out(session, holds.covering(session, case.id))
        if may_hold else None,
        may_release=allows(role, Action.MESSAGE_REVIEW), may_hold=may_hold, notice=notice,
        blocked=_blocked(session, case),
        selected_query="?members=all" if every_member else
        "?" + urlencode([("subject", s) for s in selected]) if selected else "")


def _blocked(session: Session, case: Case) -> str | None:
    """The checklist's refusal a decision would meet now (None when nothing blocks)."""
    if not case.is_open:
        return None
    found = sops.checklist(session, case)
    if found is None or not found.missing:
        return None
    return sops.blocking_message(case, found.sop, found.missing)


def panel_response(request: Request, session: Session, viewer: Viewer, key: str,
                   notice: str) -> Response:
    """After a change: the fresh panel for htmx, the case view at its panel for a plain form."""
    if not is_htmx(request):
        return RedirectResponse(f"/cases/{key}#decision-panel", status_code=303)
    session.expire_all()
    case = get_case(session, viewer, key)
    return render(request, "decision/_panel.html",
                  {"viewer": viewer, "panel": build_panel(session, case, viewer, notice=notice)})


@router.get("/cases/{key}/decision", name="decision_panel")
def decision_panel(request: Request, key: str, session: SessionDep, viewer: Reader,
                   guideline: str | None = None, subject: Picked = [],  # noqa: B006
                   members: Members = None) -> Response:
    case = get_case(session, viewer, key)
    return render(request, "decision/_panel.html", {
        "viewer": viewer, "panel": build_panel(session, case, viewer, guideline=guideline,
                                               selected=subject,
                                               every_member=members == "all")})


@router.get("/cases/{key}/decide", name="decide_page")
def decide_page(request: Request, key: str, session: SessionDep, viewer: Reader,
                guideline: str | None = None,
                subject: Picked = [],  # noqa: B006
                members: Members = None) -> Response:
    """The decision form on a page of its own; ``subject`` (repeated) narrows its rows to the
    members picked in the investigation workspace, ``members=all`` gives a row per type of
    member standing for every one of them."""
    case = get_case(session, viewer, key)
    return render(request, "decision/decide.html", {
        "viewer": viewer, "title": f"Decide {case.key}", "case_title": case.title,
        "panel": build_panel(session, case, viewer, guideline=guideline,
                             selected=subject, every_member=members == "all")})


def _actions(form: dict[str, object]) -> list[tuple[str, ActionRequest]]:
    """One action per subject row of the form: ``subject.N``, ``action.N`` and its details."""
    out: list[tuple[str, ActionRequest]] = []
    for i in range(MAX_ROWS):
        if f"subject.{i}" not in form:
            break
        subject = text(form, f"subject.{i}", max_length=300)
        kind = text(form, f"action.{i}", max_length=40)
        if not subject or not kind:
            continue
        if kind not in {k.value for k in ActionKind}:
            raise PageError(422, "Check the form", f"Action on {subject}: no action {kind!r}")
        on = f"of the action on {subject}"
        prefix, _, rest = subject.partition(":")
        out.append((subject, ActionRequest(
            ActionKind(kind), rest if prefix == "members" else prefix, 0,
            number(form, f"duration_days.{i}", low=1, high=3650,
                   label=f"Duration (days) {on}"),
            text(form, f"label.{i}", max_length=300) or None,
            number(form, f"response_days.{i}", low=1, high=90,
                   label=f"Answer window (days) {on}"))))
    return out


def decision_input(form: dict[str, object]) -> service.DecisionInput:
    outcome = text(form, "outcome", max_length=16) or "action"
    if outcome not in ("action", "no_action"):
        raise invalid("outcome", "action or no action")
    ground = text(form, "ground", max_length=32)
    if ground and ground not in {g.value for g in Ground}:
        raise invalid("ground", "illegal content or incompatible with the terms")
    automated = text(form, "automated_decision", max_length=16) or Automation.NOT_AUTOMATED
    if automated not in {a.value for a in Automation}:
        raise invalid("automated_decision", "not automated, partially or fully")
    return service.DecisionInput(
        guideline=text(form, "guideline", max_length=64, required=True),
        explanation=text(form, "explanation", max_length=2000, required=True),
        facts=text(form, "facts", max_length=5000, required=True), outcome=outcome,
        ground=Ground(ground) if ground else None,
        legal_ground=text(form, "legal_ground", max_length=500) or None,
        automated_detection=flag(form, "automated_detection"),
        automated_decision=Automation(automated), territorial_scope=territorial_scope(form),
        actions=_actions(form), manifest=flag(form, "manifest"))


@router.post("/cases/{key}/decision")
def decide(request: Request, key: str, form: FormData, session: SessionDep,
           viewer: Worker) -> Response:
    inp = decision_input(form)
    case = get_case(session, viewer, key, for_update=True)
    with service_errors([ref for ref, _ in inp.actions]):
        decision = service.decide(session, case, inp, user=viewer.user, actor=viewer.actor,
                                  now=utcnow())
    return panel_response(request, session, viewer, key,
                          f"Decision {decision.id} recorded" + DECIDED[decision.status])


def _decision_of(session: Session, viewer: Viewer, key: str,
                 decision_id: int) -> tuple[Decision, Case]:
    case = get_case(session, viewer, key, for_update=True)
    with service_errors():
        decision, owner = service.get_decision(session, decision_id,
                                               repo.readable_clause(viewer.user))
    if owner.id != case.id:
        raise PageError(404, "Not found", f"Decision {decision_id} is not on {key}.")
    return decision, case


@router.post("/cases/{key}/decision/{decision_id}/approve")
def approve(request: Request, key: str, decision_id: RowId, form: FormData,
            session: SessionDep, viewer: Approver) -> Response:
    note = text(form, "note", max_length=5000) or None
    decision, case = _decision_of(session, viewer, key, decision_id)
    with service_errors():
        approval.approve(session, decision, case, user=viewer.user, actor=viewer.actor,
                        now=utcnow(), note=note)
    return panel_response(request, session, viewer, key,
                          f"Decision {decision_id} approved" + DECIDED[decision.status])


@router.post("/cases/{key}/decision/{decision_id}/resume")
def resume(request: Request, key: str, decision_id: RowId, session: SessionDep,
           viewer: Worker, form: FormData) -> Response:
    """Go on applying a decision whose chunks stopped (its job failed for good)."""
    decision, _ = _decision_of(session, viewer, key, decision_id)
    with service_errors():
        applying.resume(session, decision, actor=viewer.actor, now=utcnow())
    return panel_response(request, session, viewer, key,
                          f"Decision {decision_id} goes on being applied from where it stopped.")


@router.post("/cases/{key}/decision/{decision_id}/reject")
def reject(request: Request, key: str, decision_id: RowId, form: FormData,
           session: SessionDep, viewer: Approver) -> Response:
    note = text(form, "note", max_length=5000)
    decision, case = _decision_of(session, viewer, key, decision_id)
    with service_errors():
        approval.reject(session, decision, case, user=viewer.user, actor=viewer.actor,
                       now=utcnow(), note=note)
    return panel_response(request, session, viewer, key,
                          f"Decision {decision_id} rejected; nothing changed on its subjects.")


@router.post("/cases/{key}/appeal-outcome")
def decide_appeal(request: Request, key: str, form: FormData, session: SessionDep,
                  viewer: Worker) -> Response:
    outcome = text(form, "outcome", max_length=24, required=True)
    if outcome not in {o.value for o in appeals.AppealOutcome}:
        raise invalid("outcome", "upheld, overturned or partly overturned")
    reverse = []
    for raw in many(form, "reverse_action_ids"):
        if not raw.isdigit():
            raise invalid("reverse_action_ids", f"{raw!r} is not an action number")
        reverse.append(int(raw))
    inp = appeals.AppealDecisionInput(
        outcome=appeals.AppealOutcome(outcome),
        reasoning=text(form, "reasoning", max_length=5000, required=True),
        reverse_action_ids=reverse,
        override_reason=text(form, "override_reason", max_length=2000) or None,
        manifestly_unfounded=flag(form, "manifestly_unfounded"))
    case = get_case(session, viewer, key, for_update=True)
    with service_errors():
        decided = appeals.decide_appeal(session, case, inp, user=viewer.user,
                                        actor=viewer.actor, now=utcnow())
    return panel_response(request, session, viewer, key,
                          f"Appeal decided: {decided.outcome.replace('_', ' ')}.")
