"""One action on many cases at once: assign, release or tag a selection, all or nothing.

Each case goes through the same service as a single action (cases.service: who may work it,
the state it must be in, one timeline event each), inside the caller's one transaction. A
refusal of any case is collected, not raised at once, so the person learns every case that
stands in the way; the caller then rolls the whole selection back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.cases import service
from integrity_desk.cases.domain import parse_case_key
from integrity_desk.cases.models import Case
from integrity_desk.cases.repository import readable_cases
from integrity_desk.errors import DeskError, InvalidInput
from integrity_desk.people.models import User

MAX_SELECTION = 200
MAX_TAGS = 20  # as many as a case may carry (the API's edit allows no more)
TAG_PATTERN = re.compile(r"^[\w.:-]{1,64}$")


class BulkAction(StrEnum):
    ASSIGN = "assign"
    RELEASE = "release"
    TAG = "tag"


@dataclass(frozen=True)
class Refusal:
    key: str
    why: str


class BulkRefused(Exception):
    """Some cases of the selection refused the action; nothing may be kept."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__("; ".join(f"{r.key}: {r.why}" for r in refusals))
        self.refusals = refusals


@dataclass(frozen=True)
class BulkRequest:
    action: BulkAction
    keys: list[str]
    assignee: User | None = None
    reason: str | None = None
    tag: str | None = None


def check_request(*, action: str, keys: list[str], reason: str | None, tag: str | None,
                  assignee: User | None, assignee_given: bool) -> BulkRequest:
    """The request as given, or InvalidInput naming the field that is wrong."""
    try:
        chosen = BulkAction(action)
    except ValueError as exc:
        raise InvalidInput("choose assign, release or tag", field="action") from exc
    unique = list(dict.fromkeys(k.strip().upper() for k in keys if k.strip()))
    if not unique:
        raise InvalidInput("select at least one case", field="key")
    if len(unique) > MAX_SELECTION:
        raise InvalidInput(f"select at most {MAX_SELECTION} cases at once", field="key")
    reason = (reason or "").strip() or None
    if reason and len(reason) > 5_000:
        raise InvalidInput("at most 5,000 characters", field="reason")
    if chosen == BulkAction.ASSIGN and assignee is None:
        raise InvalidInput("choose a person to assign the cases to" if not assignee_given
                           else "no such person among those you may assign to",
                           field="assignee")
    if chosen == BulkAction.RELEASE and not reason:
        raise InvalidInput("say why the cases go back to their queues", field="reason")
    tag = (tag or "").strip() or None
    if chosen == BulkAction.TAG and (tag is None or not TAG_PATTERN.match(tag)):
        raise InvalidInput("a tag is 1 to 64 letters, digits or . : _ -", field="tag")
    return BulkRequest(chosen, unique, assignee if chosen == BulkAction.ASSIGN else None,
                       reason, tag if chosen == BulkAction.TAG else None)


def _load(session: Session, user: User, keys: list[str]) -> tuple[list[Case], list[Refusal]]:
    """The selected cases the user may read, locked in id order (one statement); the keys that
    name no such case are refusals, worded as for a case that does not exist."""
    wanted: dict[int, str] = {}
    refusals = []
    for key in keys:
        parsed = parse_case_key(key)
        if parsed is None:
            refusals.append(Refusal(key, "not a case key"))
        else:
            wanted[parsed[1]] = key
    found = list(session.scalars(
        readable_cases(user).where(Case.id.in_(list(wanted))).order_by(Case.id)
        .with_for_update())) if wanted else []
    by_id = {c.id: c for c in found}
    cases = []
    for case_id, key in wanted.items():
        case = by_id.get(case_id)
        kind = parse_case_key(key)[0]  # type: ignore[index]
        if case is None or (kind is not None and case.kind != kind):
            refusals.append(Refusal(key, "no such case"))
        else:
            cases.append(case)
    return cases, refusals


def apply(session: Session, request: BulkRequest, *, user: User, actor: Actor,
          now: datetime) -> list[Case]:
    """Do the action on every selected case, or raise BulkRefused listing each refusal (the
    caller must then roll back: some cases may have changed before a later one refused)."""
    cases, refusals = _load(session, user, request.keys)
    for case in cases:
        try:
            _one(session, request, case, user=user, actor=actor, now=now)
        except DeskError as exc:
            refusals.append(Refusal(case.key, exc.message))
    if refusals:
        raise BulkRefused(refusals)
    return cases


def _one(session: Session, request: BulkRequest, case: Case, *, user: User, actor: Actor,
         now: datetime) -> None:
    if request.action == BulkAction.ASSIGN:
        assert request.assignee is not None
        service.assign(session, case, assignee=request.assignee, actor_user=user, actor=actor,
                       now=now, reason=request.reason)
    elif request.action == BulkAction.RELEASE:
        service.release(session, case, actor_user=user, actor=actor, now=now,
                        reason=request.reason)
    else:
        assert request.tag is not None
        tags = sorted({*(case.tag_list or []), request.tag})
        if len(tags) > MAX_TAGS:
            raise InvalidInput(f"a case carries at most {MAX_TAGS} tags", field="tag")
        service.edit(session, case, changes={}, tags=tags, actor_user=user, actor=actor,
                     now=now, reason=request.reason)
