"""Policy questions in the console (docs/quality.md#policy-questions).

``GET /cases/{key}/policy-questions`` is a fragment the case view loads into its
``<section id="policy-questions">``: the case's questions and the form to ask one; asking
answers with the fresh fragment. The pages: the questions one may see (Policy: all, with the
counts per guideline that show where guidance is weakest) and one question with Policy's
answer form, which can publish the guideline's next version. Every rule is the service's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.decisions import guidelines
from integrity_desk.dsa.domain import check_category
from integrity_desk.errors import NotFound
from integrity_desk.policy_questions import service
from integrity_desk.policy_questions.models import PolicyQuestion
from integrity_desk.web import forms
from integrity_desk.web.decisions.routes import get_case
from integrity_desk.web.decisions.views import FormData, service_errors
from integrity_desk.web.deps import MyPage, Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page(Action.CASE_READ))]
Worker = Annotated[Viewer, Depends(page(Action.CASE_WORK))]
Policy = Annotated[Viewer, Depends(page(Action.GUIDELINE_MANAGE))]
COUNT_DAYS = 90


def _lines(session: Session, questions: list[PolicyQuestion]) -> list[dict[str, object]]:
    keys, names = service.case_keys(session, questions), service.names(session, questions)
    now = utcnow()
    return [{"q": q, "case": keys.get(q.case_id, str(q.case_id)),
             "raised_by": names.get(q.raised_by_id, "–"),
             "answered_by": names.get(q.answered_by_id) if q.answered_by_id else None,
             "reason": service.REASON_WORDS.get(service.Reason(q.reason), q.reason),
             "overdue": q.status == "open" and q.due_at < now} for q in questions]


def _fragment(request: Request, session: Session, viewer: Viewer, case: Case, *,
              error: str | None = None, status_code: int = 200) -> Response:
    questions = service.listing(session, viewer.user, case_id=case.id, limit=50)
    return render(request, "policy/_case_questions.html", {
        "viewer": viewer, "key": case.key, "lines": _lines(session, questions),
        "may_ask": allows(viewer.user.role, Action.CASE_WORK),
        "guidelines": guidelines.current(session), "reasons": service.REASON_WORDS,
        "error": error}, status_code=status_code)


@router.get("/cases/{key}/policy-questions")
def case_questions(request: Request, key: str, session: SessionDep,
                   viewer: Reader) -> Response:
    return _fragment(request, session, viewer, get_case(session, viewer, key))


@router.post("/cases/{key}/policy-questions")
def ask(request: Request, key: str, form: FormData, session: SessionDep,
        viewer: Worker) -> Response:
    case = get_case(session, viewer, key)
    with service_errors():
        service.raise_question(
            session, case, user=viewer.user, reason=forms.value(form, "reason"),
            guideline=forms.value(form, "guideline") or None,
            question=forms.text(forms.value(form, "question"), "question", required=True,
                                max_length=10_000),
            hours=request.app.state.settings.policy_question_hours, actor=viewer.actor,
            now=utcnow())
    if not is_htmx(request):
        return RedirectResponse(f"/cases/{key}#policy-questions", status_code=303)
    return _fragment(request, session, viewer, case)


@router.get("/policy-questions")
def questions_page(request: Request, session: SessionDep, viewer: MyPage,
                   status: str = "open") -> Response:
    """Policy: every question, open ones soonest due first, and counts per guideline; anyone
    else: the questions they asked."""
    if status not in ("open", "answered"):
        raise PageError(404, "Not found", "Questions are open or answered.")
    policy = allows(viewer.user.role, Action.GUIDELINE_MANAGE)
    now = utcnow()
    return render(request, "policy/questions.html", {
        "viewer": viewer, "title": "Policy questions", "status": status, "policy": policy,
        "lines": _lines(session, service.listing(session, viewer.user, status=status,
                                                 limit=200)),
        "counts": service.per_guideline(session, since=now - timedelta(days=COUNT_DAYS),
                                        now=now) if policy else [],
        "days": COUNT_DAYS})


def _question(session: Session, viewer: Viewer, question_id: int) -> PolicyQuestion:
    try:
        return service.get(session, question_id, viewer.user)
    except NotFound as exc:
        raise PageError(404, "No such question", "There is no policy question with that "
                        "number you may see.") from exc


def _question_page(request: Request, session: Session, viewer: Viewer, q: PolicyQuestion, *,
                   error: str | None = None, typed: dict[str, str] | None = None,
                   status_code: int = 200) -> Response:
    current = None
    if q.guideline_code:
        try:
            current = guidelines.get(session, q.guideline_code)
        except NotFound:
            current = None
    [line] = _lines(session, [q])
    return render(request, "policy/question.html", {
        "viewer": viewer, "title": f"Policy question {q.id}", "line": line, "q": q,
        "current": current, "may_answer": allows(viewer.user.role, Action.GUIDELINE_MANAGE)
        and q.status == "open", "error": error, "typed": typed or {}},
        status_code=status_code)


@router.get("/policy-questions/{question_id}")
def question_page(request: Request, question_id: RowId, session: SessionDep,
                  viewer: MyPage) -> Response:
    return _question_page(request, session, viewer, _question(session, viewer, question_id))


@router.post("/policy-questions/{question_id}/answer")
def answer(request: Request, question_id: RowId, form: FormData, session: SessionDep,
           viewer: Policy) -> Response:
    q = _question(session, viewer, question_id)
    typed = {"answer": forms.value(form, "answer"),
             "new_guideline_text": forms.value(form, "new_guideline_text")}
    publish = forms.value(form, "publish") == "1"
    try:
        with service_errors():
            service.answer(
                session, q, user=viewer.user,
                text=forms.text(typed["answer"], "answer", required=True, max_length=10_000),
                new_guideline_text=forms.text(typed["new_guideline_text"],
                                              "new_guideline_text", max_length=50_000,
                                              label="New guideline text")
                if publish else None,
                linked_version=None, actor=viewer.actor, now=utcnow(),
                check_dsa=check_category)
    except PageError as exc:
        session.rollback()
        return _question_page(request, session, viewer, _question(session, viewer, question_id),
                              error=exc.message, typed=typed, status_code=exc.status_code)
    return RedirectResponse(f"/policy-questions/{question_id}", status_code=303)
