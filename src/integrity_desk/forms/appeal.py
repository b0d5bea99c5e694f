"""The public appeal form (DSA Art. 20): the signed link from a decision notice is checked —
who was told, of which decision, when — and the complaint goes through the appeals path of
intake, which checks the window again and refuses suspended complainants (Art. 23)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.cases.domain import Channel
from integrity_desk.cases.models import Case
from integrity_desk.decisions.models import Decision
from integrity_desk.forms.receipts import confirm
from integrity_desk.forms.tokens import AppealLink, LinkInvalid, read_appeal_token
from integrity_desk.i18n import N_
from integrity_desk.intake import schemas as s
from integrity_desk.intake.requests import APPEAL_WINDOW_MONTHS, add_months
from integrity_desk.intake.service import Intake
from integrity_desk.messages.service import acknowledge
from integrity_desk.settings import Settings

ACTOR = Actor(None, "public appeal form")
ROLES = {"notifier": N_("the person or organisation who notified us of the content"),
         "reviewer": N_("the author of the content"),
         "business": N_("the business concerned")}

Error = tuple[str, dict[str, Any]]


class AppealRefused(Exception):
    """The link cannot be used: why, in a message id with parameters."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message, self.params = message, params


@dataclass
class AppealContext:
    link: AppealLink
    case: Case
    decision: Decision
    window_ends: datetime


def open_link(session: Session, token: str, *, settings: Settings, now: datetime
              ) -> AppealContext:
    try:
        link = read_appeal_token(token, settings=settings)
    except LinkInvalid as exc:
        if exc.reason == "expired":
            raise AppealRefused(N_("This appeal link has expired.")) from exc
        raise AppealRefused(N_("This appeal link is not valid. Use the link in the message "
                               "that told you of our decision.")) from exc
    decision = session.get(Decision, link.decision_id)
    case = session.get(Case, link.case_id)
    if decision is None or case is None or decision.case_id != case.id or (
            decision.kind != "decision" or decision.status != "applied"):
        raise AppealRefused(N_("This appeal link is not valid. Use the link in the message "
                               "that told you of our decision."))
    latest = session.scalar(
        select(Decision.id).where(Decision.case_id == case.id, Decision.kind == "decision",
                                  Decision.status == "applied")
        .order_by(Decision.id.desc()).limit(1))
    if latest != decision.id:
        raise AppealRefused(N_("We have taken a newer decision on this matter since; use the "
                               "link in the message about that decision."))
    window_ends = add_months(link.informed_at, APPEAL_WINDOW_MONTHS)
    if now > window_ends:
        raise AppealRefused(N_("The time to appeal ended on %(day)s, six months after you "
                               "were told of the decision."), day=window_ends.date().isoformat())
    return AppealContext(link, case, decision, window_ends)


@dataclass
class AppealAnswers:
    name: str
    email: str
    grounds: str


def check(form: dict[str, Any]) -> tuple[AppealAnswers, dict[str, Error]]:
    answers = AppealAnswers(" ".join(str(form.get("name") or "").split()),
                            str(form.get("email") or "").strip(),
                            str(form.get("grounds") or "").strip())
    errors: dict[str, Error] = {}
    if not answers.name:
        errors["name"] = (N_("Give your name."), {})
    elif len(answers.name) > 200:
        errors["name"] = (N_("At most %(limit)s characters."), {"limit": 200})
    if not answers.email:
        errors["email"] = (N_("Give your e-mail address, so that we can confirm receipt and "
                              "tell you the outcome."), {})
    else:
        try:
            answers.email = s._valid_email(answers.email)
        except (ValueError, ValidationError):
            errors["email"] = (N_("This is not a valid e-mail address."), {})
    if len(answers.grounds) < 10:
        errors["grounds"] = (N_("Tell us why the decision is wrong (at least a sentence)."),
                             {})
    elif len(answers.grounds) > 20_000:
        errors["grounds"] = (N_("At most %(limit)s characters."), {"limit": 20_000})
    return answers, errors


def submit(session: Session, ctx: AppealContext, answers: AppealAnswers, *, language: str,
           now: datetime) -> tuple[Case, bool]:
    outcome = Intake(session, now=now, actor=ACTOR).submit(s.AppealIn(
        kind="appeal", channel=Channel.FORM, contested_case=ctx.case.key,
        appellant_type=ctx.link.role, appellant=s.Person(name=answers.name,
                                                         email=answers.email),
        grounds=answers.grounds, language=language,
        tags=["art20"]))
    if outcome.created:
        acknowledge(session, outcome.case, actor=ACTOR, now=now)
    else:  # joined the open appeal on the same decision: this complainant is confirmed too
        confirm(session, cases=[outcome.case], to=answers.email, name=answers.name,
                language=language, key=f"receipt:appeal:{uuid.uuid4().hex}", actor=ACTOR,
                now=now)
    return outcome.case, outcome.created
