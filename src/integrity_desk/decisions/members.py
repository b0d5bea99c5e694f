""""Every member of this kind": one line of a decision that stands for all of an investigation's
members of one type (``members:review``, ``members:reviewer``, ``members:business``).

A campaign of 5,000 reviews is decided as "remove every member review, suspend every member
account" — neither the console nor an API client should have to list 5,000 references. The
line is expanded here, before anything is checked, into one action per member (the members
as ``investigations.members.member_keys`` says: the case's subjects and its findings', less the
dropped), so every later step — locating, checking, the four eyes, the statements — sees plain
actions and needs no second path.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.decisions.domain import ActionRequest
from integrity_desk.errors import InvalidInput
from integrity_desk.investigations.members import KINDS, member_ids, refs_of

PREFIX = "members:"
# The most actions one decision may carry: beyond AT_ONCE it is applied in chunks
# (decisions/applying.py); 20,000 keeps one decision's stored request and statements bounded.
MAX_ACTIONS = 20_000


def is_all_members(ref: str) -> bool:
    return ref.startswith(PREFIX)


def member_refs(session: Session, case_id: int, subject_type: str) -> list[str]:
    """``type:REF`` of each member of the type, in reference order (two statements: the
    members, their references — the one look-up of references the desk has)."""
    ids = session.scalars(member_ids(case_id, subject_type))
    refs = refs_of(session, [(subject_type, i) for i in ids])
    return sorted(f"{subject_type}:{ref}" for ref in refs.values())


def expand_members(session: Session, case: Case, actions: list[tuple[str, ActionRequest]]
                   ) -> list[tuple[str, ActionRequest]]:
    """The actions with each ``members:TYPE`` line replaced by one action per member of that
    type, in place; a refusal names the line (``actions.N``) and why."""
    if not any(is_all_members(ref) for ref, _ in actions):
        return actions
    out: list[tuple[str, ActionRequest]] = []
    for index, (ref, request) in enumerate(actions):
        if not is_all_members(ref):
            out.append((ref, request))
            continue
        subject_type = ref.removeprefix(PREFIX)
        if subject_type not in KINDS:
            raise InvalidInput("members:review, members:reviewer or members:business",
                               field=f"actions.{index}.subject")
        refs = member_refs(session, case.id, subject_type)
        if not refs:
            raise InvalidInput(f"{case.key} has no {subject_type} among its members",
                               field=f"actions.{index}.subject")
        out.extend((r, replace(request, subject_type=subject_type)) for r in refs)
    if len(out) > MAX_ACTIONS:
        raise InvalidInput(f"{len(out):,} actions; one decision carries at most "
                           f"{MAX_ACTIONS:,} (decide the rest in another)", field="actions")
    return out
