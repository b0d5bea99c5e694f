"""The case view: GET /cases/{key} and the actions people take on it, as forms.

Every action is a POST form that works without JavaScript (303 back to the case, or the page
again with the reason it was refused) and that htmx submits to update the page in place: the
answer is the header, with the actions and the timeline swapped out of band. The actions call
the same services as the API (cases/api.py) in one transaction each, so a refusal carries the
same reason; the page shows it (#flash for htmx).

A case the viewer may not read is a 404 page, as for a case that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import quote
from uuid import uuid4

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import MAX_ROW_ID
from integrity_desk.audit.timeline import check_filter, latest_events
from integrity_desk.cases import history as case_history
from integrity_desk.cases import repository as repo
from integrity_desk.cases import service
from integrity_desk.cases.domain import case_key, needs_a_reason
from integrity_desk.cases.models import Case
from integrity_desk.cases.schemas import (
    CommentIn,
    EscalateIn,
    MergeIn,
    Reason,
    RevealIn,
    TransitionIn,
)
from integrity_desk.db import utcnow
from integrity_desk.decisions.history import decisions_on_cases
from integrity_desk.errors import DeskError, Forbidden, InvalidInput, NotFound
from integrity_desk.mail.files import mail_of_case
from integrity_desk.messages import replies
from integrity_desk.messages.schemas import ReplyIn
from integrity_desk.people.models import User
from integrity_desk.privacy.service import note_read, reveal
from integrity_desk.routing.eligible import eligible_assignees
from integrity_desk.routing.service import check_may_work
from integrity_desk.subjects.history import subject_facts
from integrity_desk.web import forms
from integrity_desk.web.cases import views
from integrity_desk.web.cases.request_views import linked_requests
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import is_htmx, render, templates
from integrity_desk.web.wellbeing.views import shield_for, shown_items
from integrity_desk.wellbeing import service as wellbeing
from integrity_desk.wellbeing.domain import Item

M = TypeVar("M", bound=BaseModel)
router = APIRouter(include_in_schema=False)

Reader = Annotated[Viewer, Depends(page(Action.CASE_READ))]
Worker = Annotated[Viewer, Depends(page(Action.CASE_WORK))]
Revealer = Annotated[Viewer, Depends(page(Action.PII_REVEAL))]
Show = Annotated[str, Form()]
TIMELINE_PAGE = 25
TITLES = {403: "Not allowed", 404: "No such case", 409: "Not possible now",
          422: "Check the form"}


templates.env.filters["label"] = views.label
templates.env.globals["needs_a_reason"] = needs_a_reason


def open_case(session: Session, viewer: Viewer, key: str, *, for_update: bool = False) -> Case:
    try:
        return repo.get_case(session, viewer.user, key, for_update=for_update)
    except NotFound as exc:
        raise PageError(404, "No such case",
                        f"There is no case {key} that you may open. Check the key, or look "
                        "for the case in your queues.") from exc


def page_error(exc: DeskError) -> PageError:
    message = exc.message
    if exc.field and exc.status_code == 422:
        message = f"{exc.field.replace('_', ' ').capitalize()}: {message}"
    message = message[:1].upper() + message[1:]
    allowed = exc.extra.get("allowed")
    if exc.status_code == 409 and allowed:
        message += ". It can now become: " + ", ".join(views.label(a) for a in allowed) + "."
    return PageError(exc.status_code, TITLES.get(exc.status_code, "Refused"), message)


def _reason(schema: type[M], reason: str, **values: Any) -> M:
    """The form's reason read into the API's body for the action: the same bounds, and the
    same "required" (EscalateIn and MergeIn require one; Reason leaves it optional)."""
    return forms.checked(schema, {"reason": reason, **values})


def timeline_filter(value: str) -> str:
    try:
        check_filter(value)
    except InvalidInput as exc:
        raise page_error(exc) from exc
    return value


def _may_work(session: Session, user: User, case: Case, *, qualified: bool = True) -> bool:
    """Whether the person may work the case (``qualified=False``: may hand it to someone,
    which the queue's skills and certifications do not bind: routing.requirements)."""
    if not allows(user.role, Action.CASE_WORK):
        return False
    try:
        check_may_work(session, user, case, qualified=qualified)
    except Forbidden:
        return False
    return True


def work_context(session: Session, viewer: Viewer, case: Case, *, show: str,
                 before: int | None = None, revealed_item: Item | None = None
                 ) -> dict[str, Any]:
    """Header, actions and timeline: what every action answers with (a fixed set of reads)."""
    now = utcnow()
    case = repo.load_for_view(session, case.id)
    merged_into = None
    if case.merged_into_id:
        kind = session.scalar(select(Case.kind).where(Case.id == case.merged_into_id))
        merged_into = case_key(kind, case.merged_into_id) if kind else None
    role_may_work = allows(viewer.user.role, Action.CASE_WORK)
    may_work = _may_work(session, viewer.user, case)
    # A lead without the queue's certification still distributes its cases.
    may_assign = may_work or _may_work(session, viewer.user, case, qualified=False)
    assignees = (eligible_assignees(session, case) if may_assign and case.open else [])
    events, older = latest_events(session, case.id, show=show, before=before,
                                  limit=TIMELINE_PAGE)
    return {
        "viewer": viewer, "case": case, "key": case.key, "now": now,
        "header": views.header_view(case, viewer=viewer.user, now=now, merged_into=merged_into),
        "actions": views.actions_view(case, role_may_work=role_may_work, may_work=may_work,
                                      assignees=assignees, may_assign=may_assign),
        "timeline": views.timeline_view(case.key, show, events, older),
        "before": before,
        "shield": shield_for(viewer.user, revealed_item),
        # One per rendering of the form: a double click sends the reply once.
        "reply_nonce": uuid4().hex,
    }


def _page_context(request: Request, session: Session, viewer: Viewer, case: Case, *,
                  show: str = "all", before: int | None = None, revealed: bool = False,
                  revealed_item: Item | None = None) -> dict[str, Any]:
    context = work_context(session, viewer, case, show=show, before=before,
                           revealed_item=revealed_item)
    case = context["case"]
    subjects = case_history.subjects_of_case(session, case.id)
    facts = subject_facts(
        session, review_ids=[s.id for s in subjects if s.type == "review"],
        business_ids=[s.id for s in subjects if s.type == "business"],
        reviewer_ids=[s.id for s in subjects if s.type == "reviewer"])
    # The owners' other cases too: the business and reviewer of a review are its subjects'
    # subjects, whether or not the case names them itself.
    named = {(s.type, s.id) for s in subjects}
    owners = [case_history.SubjectRef(t, i, "related") for t, ids in (
        ("business", facts.businesses), ("reviewer", facts.reviewers)) for i in ids
        if (t, i) not in named]
    others = case_history.other_cases(session, viewer.user, case_id=case.id,
                                      subjects=subjects + owners)
    other_ids = {c.id for cases in others.values() for c in cases}
    # Harmful items shown in clear (blur off) count towards the person's day, once each.
    seen = shown_items(context["shield"], case_id=case.id, text_harm=case.text_harm,
                       facts=facts)
    if seen:
        wellbeing.count_seen(session, viewer.user, seen, now=context["now"], how="shown")
    context.update(counted=bool(seen),
        title=f"{case.key} · {views.label(case.kind)}",
        requester=views.requester_view(
            case, may_reveal=allows(viewer.user.role, Action.PII_REVEAL), revealed=revealed),
        subjects=views.subjects_view(subjects, facts, others,
                                     decisions_on_cases(session, other_ids)),
        # Letters received by e-mail: listed for the roles that may download them; the others
        # see how many there are (their names and senders are personal data).
        mail=mail_of_case(session, case.id),
        may_read_mail=allows(viewer.user.role, Action.MAIL_READ),
        missing=(case.details or {}).get("missing") or [],
        linked=linked_requests(session, case.id) if case.linked_request_count else [],
    )
    return context


def case_page(request: Request, session: Session, viewer: Viewer, case: Case, *,
              show: str = "all", before: int | None = None, revealed: bool = False,
              error: str | None = None, status_code: int = 200,
              revealed_item: Item | None = None) -> Response:
    context = _page_context(request, session, viewer, case, show=show, before=before,
                            revealed=revealed, revealed_item=revealed_item)
    context["error"] = error
    return render(request, "case.html", context, status_code=status_code)


@router.get("/cases/{key}", name="case_view")
def case_view(request: Request, key: str, session: SessionDep, viewer: Reader,
              show: str = "all", before: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]
              = None) -> Response:
    show = timeline_filter(show)
    case = open_case(session, viewer, key)
    note_read(session, case, actor=viewer.actor, now=utcnow(), what="case")
    return case_page(request, session, viewer, case, show=show, before=before)


@router.get("/cases/{key}/timeline", name="case_timeline")
def case_timeline(request: Request, key: str, session: SessionDep, viewer: Reader,
                  show: str = "all",
                  before: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None) -> Response:
    """The timeline section for htmx; the whole page with that filter without JavaScript."""
    show = timeline_filter(show)
    case = open_case(session, viewer, key)
    note_read(session, case, actor=viewer.actor, now=utcnow(), what="timeline")
    if not is_htmx(request):
        return case_page(request, session, viewer, case, show=show, before=before)
    events, older = latest_events(session, case.id, show=show, before=before,
                                  limit=TIMELINE_PAGE)
    return render(request, "_case_timeline.html", {
        "viewer": viewer, "key": case.key, "before": before,
        "timeline": views.timeline_view(case.key, show, events, older)})


def _gone(request: Request, viewer: Viewer, key: str, what: str) -> Response:
    """After an action that took the case out of the viewer's sight (an escalation out of a
    vendor's queues): say so, instead of a 404 for the case they were just working."""
    headers = {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"} if is_htmx(request) else None
    return render(request, "_case_gone.html" if headers else "case_gone.html",
                  {"viewer": viewer, "key": key, "what": what, "title": f"{key} {what}"},
                  headers=headers)


def _act(request: Request, session: SessionDep, viewer: Viewer, key: str, show: str,
         do: Callable[[Case], Any], *, done: str, for_update: bool = True,
         goes_to: Callable[[], str] | None = None) -> Response:
    """Run one action in one transaction; answer with the updated sections (htmx), a redirect
    back to the case (or to where ``goes_to`` says), or the page again with the reason a
    refused action gives."""
    show = timeline_filter(show)
    case = open_case(session, viewer, key, for_update=for_update)
    try:
        do(case)
    except DeskError as exc:
        session.rollback()
        refusal = page_error(exc)
        if is_htmx(request) and refusal.status_code != 422:
            return _refused_in_place(request, session, viewer, key, show, refusal)
        if is_htmx(request):  # a field to correct: the form stays as typed, the reason shows
            raise refusal from exc
        fresh = open_case(session, viewer, key)
        return case_page(request, session, viewer, fresh, show=show, error=refusal.message,
                         status_code=refusal.status_code)
    if goes_to is not None:
        location = goes_to()
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)
    try:
        case = repo.get_case(session, viewer.user, key)
    except NotFound:
        return _gone(request, viewer, key, done)
    if not is_htmx(request):
        return RedirectResponse(f"/cases/{case.key}", status_code=303)
    return render(request, "_case_update.html",
                  work_context(session, viewer, case, show=show))


def _refused_in_place(request: Request, session: Session, viewer: Viewer, key: str,
                      show: str, refusal: PageError) -> Response:
    """A refused action, for htmx: the reason in the alert region and the header, actions and
    timeline as they are now, since a refusal usually means the page was stale (someone else
    claimed the case, it moved on). The status stays the refusal's; ``X-Desk-Refused`` carries
    the reason (percent-encoded: headers are Latin-1) and tells desk.js to swap this answer in
    rather than treat it as a failed request."""
    try:
        case = repo.get_case(session, viewer.user, key)
    except NotFound:  # the case left the viewer's sight meanwhile: the reason is all there is
        raise refusal from None
    return render(request, "_case_update.html", work_context(session, viewer, case, show=show),
                  status_code=refusal.status_code,
                  headers={"X-Desk-Refused": quote(refusal.message, safe=" ")})


def _refuse_on_page(request: Request, session: Session, viewer: Viewer, key: str, show: str,
                    error: PageError) -> Response:
    """A form refused before any service ran (a missing field): the page again, saying why."""
    if is_htmx(request):
        raise error
    case = open_case(session, viewer, key)
    return case_page(request, session, viewer, case, show=timeline_filter(show),
                     error=error.message, status_code=error.status_code)


def _validated(request: Request, session: Session, viewer: Viewer, key: str, show: str,
               check: Callable[[], Any]) -> Any:
    try:
        return check(), None
    except PageError as exc:
        return None, _refuse_on_page(request, session, viewer, key, show, exc)


@router.post("/cases/{key}/comment")
def comment(request: Request, key: str, session: SessionDep, viewer: Worker,
            body: Annotated[str, Form()] = "", show: Show = "all") -> Response:
    said, refused = _validated(request, session, viewer, key, show, lambda: forms.checked(
        CommentIn, {"body": body}, labels={"body": "Comment"}))
    if refused:
        return refused
    return _act(request, session, viewer, key, show, lambda case: service.comment(
        session, case, actor=viewer.actor, now=utcnow(), body=said.body),
        done="has a new comment", for_update=False)


@router.post("/cases/{key}/reply")
def reply(request: Request, key: str, session: SessionDep, viewer: Worker,
          text: Annotated[str, Form()] = "", nonce: Annotated[str, Form()] = "",
          show: Show = "all") -> Response:
    checked, refused = _validated(request, session, viewer, key, show, lambda: (
        forms.checked(ReplyIn, {"text": text}, labels={"text": "Reply"}).text,
        forms.text(nonce, "nonce", required=True, max_length=64)))
    if refused:
        return refused
    body, once = checked
    return _act(request, session, viewer, key, show, lambda case: replies.reply_to_requester(
        session, case, user=viewer.user, actor=viewer.actor, text=body, nonce=once,
        now=utcnow()), done="has a reply queued to the requester")


@router.post("/cases/{key}/claim")
def claim(request: Request, key: str, session: SessionDep, viewer: Worker,
          show: Show = "all") -> Response:
    return _act(request, session, viewer, key, show, lambda case: service.claim(
        session, case, user=viewer.user, actor=viewer.actor, now=utcnow()),
        done="was claimed", for_update=False)


@router.post("/cases/{key}/assign")
def assign(request: Request, key: str, session: SessionDep, viewer: Worker,
           assignee: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
           show: Show = "all") -> Response:
    def check() -> tuple[User, str | None]:
        if not assignee.strip().isdigit() or not 0 < int(assignee) <= MAX_ROW_ID:
            raise PageError(422, TITLES[422], "Assign to: choose a person from the list.")
        person = session.get(User, int(assignee))
        if person is None:
            raise PageError(422, TITLES[422], "Assign to: there is no such person.")
        return person, _reason(Reason, reason).reason

    checked, refused = _validated(request, session, viewer, key, show, check)
    if refused:
        return refused
    person, why = checked
    return _act(request, session, viewer, key, show, lambda case: service.assign(
        session, case, assignee=person, actor_user=viewer.user, actor=viewer.actor,
        now=utcnow(), reason=why), done=f"was assigned to {person.name}")


@router.post("/cases/{key}/release")
def release(request: Request, key: str, session: SessionDep, viewer: Worker,
            reason: Annotated[str, Form()] = "", show: Show = "all") -> Response:
    why, refused = _validated(request, session, viewer, key, show,
                              lambda: _reason(Reason, reason).reason)
    if refused:
        return refused
    return _act(request, session, viewer, key, show, lambda case: service.release(
        session, case, actor_user=viewer.user, actor=viewer.actor, now=utcnow(), reason=why),
        done="went back to its queue")


@router.post("/cases/{key}/escalate")
def escalate(request: Request, key: str, session: SessionDep, viewer: Worker,
             reason: Annotated[str, Form()] = "", show: Show = "all") -> Response:
    why, refused = _validated(request, session, viewer, key, show,
                              lambda: _reason(EscalateIn, reason).reason)
    if refused:
        return refused
    return _act(request, session, viewer, key, show, lambda case: service.escalate(
        session, case, actor_user=viewer.user, actor=viewer.actor, now=utcnow(), reason=why),
        done="was escalated to the next tier")


def _transition(request: Request, session: Session, viewer: Viewer, key: str, show: str,
                action: str, reason: str, *, done: str) -> Response:
    def check() -> str | None:
        why = _reason(TransitionIn, reason, action=action).reason
        if why is None and needs_a_reason(action):
            raise forms.refuse("reason", "this field is required.")
        return why

    why, refused = _validated(request, session, viewer, key, show, check)
    if refused:
        return refused
    return _act(request, session, viewer, key, show, lambda case: service.transition(
        session, case, action=action, actor_user=viewer.user, actor=viewer.actor,
        now=utcnow(), reason=why), done=done)


@router.post("/cases/{key}/start")
def start(request: Request, key: str, session: SessionDep, viewer: Worker,
          show: Show = "all") -> Response:
    return _transition(request, session, viewer, key, show, "start", "", done="is in progress")


@router.post("/cases/{key}/wait")
def wait_on_requester(request: Request, key: str, session: SessionDep, viewer: Worker,
                      reason: Annotated[str, Form()] = "", show: Show = "all") -> Response:
    return _transition(request, session, viewer, key, show, "wait_on_requester", reason,
                       done="is waiting on the requester")


@router.post("/cases/{key}/resume")
def resume(request: Request, key: str, session: SessionDep, viewer: Worker,
           reason: Annotated[str, Form()] = "", show: Show = "all") -> Response:
    return _transition(request, session, viewer, key, show, "resume", reason,
                       done="is in progress again")


@router.post("/cases/{key}/close")
def close(request: Request, key: str, session: SessionDep, viewer: Worker,
          reason: Annotated[str, Form()] = "", show: Show = "all") -> Response:
    return _transition(request, session, viewer, key, show, "close", reason, done="was closed")


@router.post("/cases/{key}/reopen")
def reopen(request: Request, key: str, session: SessionDep, viewer: Worker,
           reason: Annotated[str, Form()] = "", show: Show = "all") -> Response:
    return _transition(request, session, viewer, key, show, "reopen", reason, done="was reopened")


@router.post("/cases/{key}/merge")
def merge(request: Request, key: str, session: SessionDep, viewer: Worker,
          into: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
          show: Show = "all") -> Response:
    checked, refused = _validated(request, session, viewer, key, show, lambda: forms.checked(
        MergeIn, {"into": into, "reason": reason}, labels={"into": "Merge into"}))
    if refused:
        return refused
    target, why = checked.into.upper(), checked.reason
    merged: list[Case] = []

    def do(source: Case) -> None:
        try:
            other = repo.get_case(session, viewer.user, target, for_update=True)
        except NotFound as exc:
            raise InvalidInput(f"no case {target}", field="into") from exc
        merged.append(service.merge(session, source, into=other, actor_user=viewer.user,
                                    actor=viewer.actor, now=utcnow(), reason=why))

    # The case that remains is the one to look at now.
    return _act(request, session, viewer, key, show, do, done=f"was merged into {target}",
                goes_to=lambda: f"/cases/{merged[0].key}")


@router.post("/cases/{key}/reveal")
def reveal_requester(request: Request, key: str, session: SessionDep, viewer: Revealer,
                     reason: Annotated[str, Form()] = "", show: Show = "all") -> Response:
    """The requester's personal data unmasked, once, for this answer; recorded as
    ``pii.revealed`` on the timeline (privacy.service.reveal, as the API does)."""
    why, refused = _validated(request, session, viewer, key, show,
                              lambda: _reason(RevealIn, reason).reason)
    if refused:
        return refused
    show = timeline_filter(show)
    case = open_case(session, viewer, key)
    try:
        reveal(session, case, actor=viewer.actor, now=utcnow(), reason=why or "",
               request_ids=[])
    except DeskError as exc:
        session.rollback()
        raise page_error(exc) from exc
    if not is_htmx(request):
        return case_page(request, session, viewer, case, show=show, revealed=True)
    context = work_context(session, viewer, case, show=show)
    context["requester"] = views.requester_view(context["case"], may_reveal=True, revealed=True)
    return render(request, "_case_revealed.html", context)
