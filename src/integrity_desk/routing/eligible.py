"""Who a case may be given to: the inverse of ``may_work_clause`` (which asks which cases one
person may work), for the assign control of the case view. One statement over users; the
language rule and the queue's skills, on JSON lists, are checked on the few rows it returns,
and its required certifications with one read for them all (routing.requirements)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.cases.domain import CaseKind
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.people.models import (
    LANGUAGE_BOUND_ROLES,
    LEGAL_ROLES,
    WORKING_ROLES,
    Role,
    User,
)
from integrity_desk.routing import requirements
from integrity_desk.routing.repository import sees_queue_of


def eligible_assignees(session: Session, case: Case, *, limit: int = 200) -> list[User]:
    """Active people who may work this case (role, tier, team, legal, language, case kind, and
    the skills and certifications its queue requires), by name.
    The service checks again when the case is assigned; this only keeps the list honest."""
    roles = set(WORKING_ROLES)
    if case.legal_restricted:
        roles &= LEGAL_ROLES
    if not (case.legal_restricted or case.kind == CaseKind.LEGAL_NOTICE):
        roles.discard(Role.LEGAL)
    users = session.scalars(
        select(User).where(
            User.active.is_(True), User.role.in_([r.value for r in roles]),
            User.max_tier >= case.tier, sees_queue_of(case.queue_id))
        .order_by(User.name, User.id).limit(limit))

    def speaks(user: User) -> bool:
        if user.role not in LANGUAGE_BOUND_ROLES or not user.languages:
            return True
        return case.language is None or case.language in user.languages

    def works_kind(user: User) -> bool:  # an empty list: every kind
        return not user.kinds or case.kind in user.kinds

    speakers = [u for u in users if speaks(u) and works_kind(u)]
    if case.queue_id is None:
        return speakers
    return requirements.qualified_users(
        session, speakers, requirements.of_queue_id(session, case.queue_id), utcnow())
