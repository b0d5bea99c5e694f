"""The public notice form (DSA Art. 16): what it asks, how its answers are checked, and how a
notice becomes cases through intake.

Art. 16(2) asks for: (a) an explanation of why the content is illegal, (b) the exact URLs,
(c) the notifier's name and e-mail — except for offences concerning child sexual abuse
material, where they are optional whoever sends the notice (intake's legal-notice schema
agrees: ``csam`` lifts the e-mail requirement there too) — and (d) a statement of good faith.
The intake rules decide the kind: a law firm, authority or court sends a legal notice (one
case, every URL, with its legal deadline); a person or a business flags each review named (one
flag per review, joining the open case on it, as every flag does).

Errors are message ids (English) with parameters, translated where the page shows them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.cases.domain import Channel
from integrity_desk.cases.models import Case
from integrity_desk.errors import InvalidInput
from integrity_desk.forms.receipts import confirm
from integrity_desk.i18n import N_
from integrity_desk.intake import schemas as s
from integrity_desk.intake.service import Intake
from integrity_desk.messages.service import acknowledge
from integrity_desk.subjects.service import REVIEW_URL

ACTOR = Actor(None, "public notice form")
SENDERS: dict[str, str] = {
    "consumer": N_("A private person"),
    "business": N_("A business"),
    "law_firm": N_("A law firm"),
    "authority": N_("A public authority"),
    "court": N_("A court"),
}
LEGAL_SENDERS = ("law_firm", "authority", "court")
# What a person or business reports, as the platform's guideline categories.
CATEGORIES: dict[str, str] = {
    "harmful_illegal": N_("Illegal content: hate, threats, violence or other crimes"),
    "personal_information": N_("Personal information published without consent"),
    "offensive_language": N_("Insults or offensive language"),
    "fake": N_("A fake review, not based on a real experience"),
    "conflict_of_interest": N_("Written by the business itself or by a competitor"),
    "incentivised": N_("A paid or incentivised review"),
    "advertising_spam": N_("Advertising or spam"),
    "other": N_("Something else"),
}
NOTICE_TYPES: dict[str, str] = {
    "defamation": N_("Defamation"),
    "intellectual_property": N_("Intellectual property (copyright, trade mark)"),
    "data_protection_erasure": N_("Data protection: request for erasure"),
    "law_enforcement_data_request": N_("Request for data by law enforcement"),
    "court_order": N_("Court order"),
    "other": N_("Other legal ground"),
}
EU_COUNTRIES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR",
                "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT",
                "RO", "SE", "SI", "SK")
MAX_URLS = 100

Error = tuple[str, dict[str, Any]]


@dataclass
class Notice:
    sender_type: str
    csam: bool
    name: str
    email: str
    organisation: str
    urls: list[str]
    category: str
    notice_type: str
    legal_basis: str
    explanation: str
    jurisdiction: str
    deadline: date | None
    good_faith: bool


@dataclass
class Checked:
    notice: Notice
    errors: dict[str, Error] = field(default_factory=dict)


def _text(form: dict[str, Any], name: str, limit: int) -> str:
    value = form.get(name)
    return " ".join(str(value).split()) if name not in ("explanation", "urls") and value else (
        str(value or "").strip())[: limit * 2]


def check(form: dict[str, Any], *, today: date) -> Checked:
    """Every answer checked, each error on its own field."""
    n = Notice(
        sender_type=_text(form, "sender_type", 20), csam=form.get("csam") == "yes",
        name=_text(form, "name", 200), email=_text(form, "email", 254),
        organisation=_text(form, "organisation", 200),
        urls=[u.strip() for u in str(form.get("urls") or "").splitlines() if u.strip()],
        category=_text(form, "category", 40), notice_type=_text(form, "notice_type", 40),
        legal_basis=_text(form, "legal_basis", 2000), explanation=_text(
            form, "explanation", 5000), jurisdiction=_text(form, "jurisdiction", 2),
        deadline=None, good_faith=form.get("good_faith") == "yes")
    errors: dict[str, Error] = {}
    legal = n.sender_type in LEGAL_SENDERS
    if n.sender_type not in SENDERS:
        errors["sender_type"] = (N_("Say who is sending this notice."), {})
    # Art. 16(2)(c) exempts child sexual abuse material from name and e-mail whoever sends
    # it; a legal sender still names its firm, authority or court (the organisation).
    if n.csam:
        n.category = "harmful_illegal"  # what such material is, whatever else was chosen
    contact_needed = not n.csam
    if not n.name and contact_needed:
        errors["name"] = (N_("Give your name (only reports of child sexual abuse material may "
                             "be sent without it)."), {})
    elif len(n.name) > 200:
        errors["name"] = (N_("At most %(limit)s characters."), {"limit": 200})
    if not n.email and contact_needed:
        errors["email"] = (N_("Give your e-mail address, so that we can confirm receipt and "
                              "tell you our decision."), {})
    elif n.email:
        try:
            n.email = s._valid_email(n.email)
        except (ValueError, ValidationError):
            errors["email"] = (N_("This is not a valid e-mail address."), {})
    if legal and not n.organisation:
        errors["organisation"] = (N_("Give the name of your firm, authority or court."), {})
    elif len(n.organisation) > 200:
        errors["organisation"] = (N_("At most %(limit)s characters."), {"limit": 200})
    if len(n.email) > 254 and "email" not in errors:
        errors["email"] = (N_("This is not a valid e-mail address."), {})
    errors.update(_check_urls(n, legal))
    if not legal and n.category not in CATEGORIES:
        errors["category"] = (N_("Choose what is wrong with the content."), {})
    if legal and n.notice_type not in NOTICE_TYPES:
        errors["notice_type"] = (N_("Choose the kind of legal notice."), {})
    if not n.legal_basis:
        errors["legal_basis"] = (N_("Name the law or right the content infringes (in your "
                                    "own words is fine)."), {})
    elif len(n.legal_basis) > 2000:
        errors["legal_basis"] = (N_("At most %(limit)s characters."), {"limit": 2000})
    if len(n.explanation) < 10:
        errors["explanation"] = (N_("Explain why the content is illegal (at least a sentence)."),
                                 {})
    elif len(n.explanation) > 5000:
        errors["explanation"] = (N_("At most %(limit)s characters."), {"limit": 5000})
    if legal and n.jurisdiction not in EU_COUNTRIES:
        errors["jurisdiction"] = (N_("Choose the country whose law applies."), {})
    if legal:
        raw = _text(form, "deadline", 10)
        try:
            n.deadline = date.fromisoformat(raw)
        except ValueError:
            errors["deadline"] = (N_("Give the deadline as a date."), {})
        else:
            if n.deadline < today:
                errors["deadline"] = (N_("The deadline cannot be in the past."), {})
    if not n.good_faith:
        errors["good_faith"] = (N_("A notice needs your statement that it is accurate and "
                                   "complete."), {})
    return Checked(n, errors)


def _check_urls(n: Notice, legal: bool) -> dict[str, Error]:
    if not n.urls:
        return {"urls": (N_("Give the address (URL) of at least one review."), {})}
    if len(n.urls) > MAX_URLS:
        return {"urls": (N_("At most %(limit)s addresses in one notice."), {"limit": MAX_URLS})}
    for line, url in enumerate(n.urls, start=1):
        if not url.startswith(("http://", "https://")) or " " in url or len(url) > 2000:
            return {"urls": (N_("Line %(line)s is not a web address (it must start with "
                                "https://)."), {"line": line})}
        if not legal and not REVIEW_URL.search(url):
            return {"urls": (N_("Line %(line)s is not the address of a review on our "
                                "platform."), {"line": line})}
    n.urls = list(dict.fromkeys(n.urls))
    return {}


@dataclass
class Submitted:
    cases: list[Case]
    created: int


# Where intake's own schema checks land on the form (the form's checks come first).
_FIELDS = {"sender": "name", "reporter": "name", "email": "email", "organisation":
           "organisation", "urls": "urls", "review": "urls", "legal_basis": "legal_basis",
           "explanation": "explanation", "reason": "explanation"}


def submit(session: Session, n: Notice, *, language: str, now: datetime) -> Submitted:
    """Open (or join) the cases of a checked notice, and queue its receipt."""
    try:
        return _submit(session, n, language=language, now=now)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        parts = [str(p) for p in first["loc"]]
        field = next((_FIELDS[p] for p in reversed(parts) if p in _FIELDS), "explanation")
        raise InvalidInput(first["msg"], field=field) from None


def _submit(session: Session, n: Notice, *, language: str, now: datetime) -> Submitted:
    intake = Intake(session, now=now, actor=ACTOR)
    person = s.Person(name=n.name, email=n.email or None,
                      organisation=n.organisation or None) if n.name else None
    cases: list[Case] = []
    created = 0
    tags = ["art16", *(["csam"] if n.csam else [])]
    if n.sender_type in LEGAL_SENDERS:
        assert n.deadline is not None
        # A legal sender reporting such material may leave out its person: its firm,
        # authority or court is then the sender's name.
        sender = person or s.Person(name=n.organisation, email=n.email or None,
                                    organisation=n.organisation)
        outcome = intake.submit(s.LegalNoticeIn(
            kind="legal_notice", channel=Channel.FORM, sender_type=n.sender_type,
            sender=sender, jurisdiction=n.jurisdiction, notice_type=n.notice_type,
            legal_basis=n.legal_basis, explanation=n.explanation,
            deadline=datetime.combine(n.deadline, time(23, 59, 59), UTC), urls=n.urls,
            good_faith_statement=True, language=language, tags=tags, csam=n.csam))
        acknowledge(session, outcome.case, actor=ACTOR, now=now)
        return Submitted([outcome.case], 1)
    refs = list(dict.fromkeys(REVIEW_URL.search(u).group(1) for u in n.urls))  # type: ignore[union-attr]
    for ref in refs:
        url = next(u for u in n.urls if f"/{ref}" in u)
        reason = (f"{n.explanation}\n\nLegal ground given by the notifier: {n.legal_basis}\n"
                  f"URL: {url}\nThe notifier confirmed that the notice is accurate and "
                  "complete (DSA Art. 16(2)(d)).")[:5000]
        outcome = intake.submit(s.FlagIn(
            kind="flag", channel=Channel.FORM, review=s.ReviewIn(ref=ref),
            reporter_type=n.sender_type, reporter=person,
            category="harmful_illegal" if n.csam else n.category, reason=reason, tags=tags))
        cases.append(outcome.case)
        created += outcome.created
    confirm(session, cases=cases, to=n.email or None, name=n.name or None, language=language,
            key=f"receipt:notice:{uuid.uuid4().hex}", actor=ACTOR, now=now)
    return Submitted(cases, created)
