"""Everyone connected to a case, by name: what every statement of reasons is scrubbed of.

A statement's free text is written from case notes, and any of the people around the case may be
named in it: the requester and every notifier whose request joined the case, the authors of the
reviews acted on or reported, the reviewer accounts and the businesses' contacts, and for an
appeal the same of the case whose decision it contests. The names are
collected once per decision (a handful of queries, whatever the number of subjects) and passed
to every statement, so an investigation with a thousand subjects pays for them once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case, CaseRequest, CaseSubject
from integrity_desk.decisions.models import Decision, DecisionAction
from integrity_desk.subjects.models import Business, Review, Reviewer


def names_involved(session: Session, case: Case, actions: Iterable[DecisionAction]) -> list[str]:
    """The names of everyone connected to ``case`` and to the subjects
    of ``actions``, without duplicates.

    Organisation names are left out on purpose: a trusted flagger's name is the statement's
    ``source_identity``, and a business's trading name is the subject acted on, not a person."""
    cases = [case.id]
    contested = (case.details or {}).get("contested_decision_id")
    if contested:  # an appeal's statements speak of the contested case and its people too
        cases += session.scalars(select(Decision.case_id).where(Decision.id == contested))
    wanted: dict[str, set[int]] = {"review": set(), "reviewer": set(), "business": set()}
    for action in actions:
        wanted.setdefault(action.subject_type, set()).add(action.subject_id)
    for kind, subject_id in session.execute(
            select(CaseSubject.subject_type, CaseSubject.subject_id)
            .where(CaseSubject.case_id.in_(cases))):
        wanted.setdefault(kind, set()).add(subject_id)

    # Contacts (e-mail, phone, handle) are not names: the scrubber's patterns take them, and
    # split into "words" a phone number would turn every "49" in the text into [name].
    found: list[str | None] = list(session.scalars(
        select(Case.requester_name).where(Case.id.in_(cases))))
    found += session.scalars(select(CaseRequest.requester_name)
                             .where(CaseRequest.case_id.in_(cases)))
    if wanted["review"]:
        for reviewer_id, business_id in session.execute(
                select(Review.reviewer_id, Review.business_id)
                .where(Review.id.in_(wanted["review"]))):
            if reviewer_id is not None:
                wanted["reviewer"].add(reviewer_id)
            if business_id is not None:
                wanted["business"].add(business_id)
    if wanted["reviewer"]:
        found += session.scalars(select(Reviewer.display_name)
                                 .where(Reviewer.id.in_(wanted["reviewer"])))
    if wanted["business"]:
        found += session.scalars(select(Business.csm_owner)
                                 .where(Business.id.in_(wanted["business"])))
    return list(dict.fromkeys(n.strip() for n in found if n and n.strip()))
