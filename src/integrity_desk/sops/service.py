"""SOPs as versioned data, the checklist a case walks, and the gate a decision passes.

The version in force for a case is the one current when the case was opened (the kind's latest
version created at or before ``cases.created_at``), not today's: a manager publishing a
stricter checklist mid-shift must not block the cases already being worked under the old one,
and the comparison report needs each case on one version for good. A kind without an SOP
(then) blocks nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.domain import CaseKind
from integrity_desk.cases.models import Case
from integrity_desk.errors import Conflict, InvalidInput, NotFound
from integrity_desk.people.models import User
from integrity_desk.sops.models import ChecklistTick, Sop, SopItem

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_ITEMS = 40


@dataclass(frozen=True)
class ItemInput:
    key: str
    text: str
    help_text: str | None = None
    required: bool = False


def check_kind(kind: str, field: str = "kind") -> str:
    if kind not in {k.value for k in CaseKind}:
        raise InvalidInput(f"no case kind {kind!r}: one of "
                           f"{', '.join(k.value for k in CaseKind)}", field=field)
    return kind


# -- reading versions ----------------------------------------------------------------------------

def current(session: Session) -> list[Sop]:
    """The version in force now of each kind that has an SOP, by kind."""
    return list(session.scalars(select(Sop).where(Sop.is_current)
                                .options(selectinload(Sop.items)).order_by(Sop.kind)))


def versions(session: Session, kind: str) -> list[Sop]:
    """Every version of the kind's SOP, newest first (404 when it has none)."""
    check_kind(kind)
    found = list(session.scalars(select(Sop).where(Sop.kind == kind)
                                 .options(selectinload(Sop.items))
                                 .order_by(Sop.version.desc())))
    if not found:
        raise NotFound(f"no SOP for {kind}", field="kind")
    return found


def get(session: Session, kind: str, version: int | None = None) -> Sop:
    """The version named, or the current one, with its items."""
    check_kind(kind)
    query = select(Sop).where(Sop.kind == kind).options(selectinload(Sop.items))
    query = query.where(Sop.version == version) if version else query.where(Sop.is_current)
    sop = session.scalar(query)
    if sop is None:
        where = f" version {version}" if version else ""
        raise NotFound(f"no SOP for {kind}{where}", field="version" if version else "kind")
    return sop


def in_force(session: Session, kind: str, opened_at: datetime) -> Sop | None:
    """The kind's version current at ``opened_at``: its latest created at or before then."""
    return session.scalar(
        select(Sop).where(Sop.kind == kind, Sop.created_at <= opened_at)
        .options(selectinload(Sop.items))
        .order_by(Sop.created_at.desc(), Sop.version.desc()).limit(1))


def of_case(session: Session, case: Case) -> Sop | None:
    return in_force(session, case.kind, case.created_at)


# -- publishing ----------------------------------------------------------------------------------

def _check_items(items: list[ItemInput]) -> None:
    if not items:
        raise InvalidInput("an SOP has at least one checklist item", field="items")
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"at most {MAX_ITEMS} checklist items", field="items")
    seen: set[str] = set()
    for index, item in enumerate(items):
        if not KEY.match(item.key):
            raise InvalidInput("a key is lower-case letters, digits, - or _ (up to 64)",
                               field=f"items.{index}.key")
        if item.key in seen:
            raise InvalidInput(f"key {item.key!r} is used twice", field=f"items.{index}.key")
        seen.add(item.key)
        if not item.text.strip():
            raise InvalidInput("say what to do", field=f"items.{index}.text")
        if len(item.text.strip()) > 300:
            raise InvalidInput("at most 300 characters", field=f"items.{index}.text")
        if item.help_text and len(item.help_text.strip()) > 1000:
            raise InvalidInput("at most 1000 characters", field=f"items.{index}.help_text")


def publish(session: Session, kind: str, *, title: str, body: str, items: list[ItemInput],
            note: str | None, actor: Actor, now: datetime) -> Sop:
    """Publish the kind's SOP: version 1, or the next version (the previous one stops being
    current in the same transaction and stays, with the cases opened under it)."""
    check_kind(kind)
    if not title.strip():
        raise InvalidInput("give the SOP a title", field="title")
    if not body.strip():
        raise InvalidInput("write the playbook (Markdown)", field="body")
    _check_items(items)
    old = session.scalar(select(Sop).where(Sop.kind == kind, Sop.is_current)
                         .with_for_update())
    version = (session.scalar(select(func.max(Sop.version)).where(Sop.kind == kind)) or 0) + 1
    if old is not None:
        if old.created_at > now:
            raise Conflict(f"version {old.version} of the {kind} SOP is newer than this one",
                           field="kind")
        session.execute(update(Sop).where(Sop.id == old.id).values(is_current=False)
                        .execution_options(synchronize_session=False))
        session.flush()
    sop = Sop(kind=kind, version=version, is_current=True, title=title.strip(),
              body=body.strip(), change_note=(note or "").strip() or None,
              created_by_id=actor.id, created_at=now)
    session.add(sop)
    session.flush()
    session.add_all([SopItem(sop_id=sop.id, position=n, key=i.key, text=i.text.strip(),
                             help_text=(i.help_text or "").strip() or None,
                             required=i.required) for n, i in enumerate(items, start=1)])
    session.flush()
    record(session, kind="sop.published", category="audit", actor=actor, chain_key="config",
           at=now, payload={"kind": kind, "version": version, "note": sop.change_note,
                            "items": [{"key": i.key, "required": i.required} for i in items],
                            "previous": old.version if old is not None else None})
    return get(session, kind, version)


# -- the case's checklist ------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemState:
    item: SopItem
    tick: ChecklistTick | None

    @property
    def done(self) -> bool:
        return self.tick is not None and self.tick.done


@dataclass(frozen=True)
class Checklist:
    """The case's SOP version, each item with its tick, and what still blocks a decision."""

    sop: Sop
    items: list[ItemState]

    @property
    def missing(self) -> list[SopItem]:
        return [s.item for s in self.items if s.item.required and not s.done]


def checklist(session: Session, case: Case) -> Checklist | None:
    """None when the case's kind had no SOP when the case was opened."""
    sop = of_case(session, case)
    if sop is None:
        return None
    ticks = {t.item_id: t for t in session.scalars(
        select(ChecklistTick).where(ChecklistTick.case_id == case.id,
                                    ChecklistTick.sop_id == sop.id))}
    return Checklist(sop, [ItemState(i, ticks.get(i.id)) for i in sop.items])


def blocking_message(case: Case, sop: Sop, missing: list[SopItem]) -> str:
    names = "; ".join(f"“{i.text}”" for i in missing)
    kind = sop.kind.replace("_", " ")  # words, not codes: the console shows it as is
    return (f"{case.key}: the {kind} SOP (version {sop.version}) has required checklist "
            f"items not done: {names}")


def gate(session: Session, case: Case) -> Sop | None:
    """The SOP version a decision on the case is taken under; a 409 naming the required items
    not done. Called by every decision (decisions.service.decide, decisions.appeals)."""
    found = checklist(session, case)
    if found is None:
        return None
    if found.missing:
        raise Conflict(blocking_message(case, found.sop, found.missing), field="checklist",
                       missing=[i.key for i in found.missing], sop_version=found.sop.version)
    return found.sop


def _item(found: Checklist | None, case: Case, key: str) -> SopItem:
    if found is None:
        raise NotFound(f"{case.key} has no SOP checklist ({case.kind} had no SOP when it "
                       "was opened)", field="key")
    for state in found.items:
        if state.item.key == key:
            return state.item
    raise NotFound(f"no item {key!r} on the checklist of {case.key}", field="item")


def _check_open(case: Case) -> None:
    if not case.is_open:
        raise Conflict(f"{case.key} is {case.status}; its checklist is closed", field="status",
                       current=case.status)


def tick(session: Session, case: Case, key: str, *, user: User, actor: Actor, now: datetime,
         note: str | None = None) -> Checklist:
    """Mark the item done (again, if it was unticked); on the case's timeline."""
    _check_open(case)
    found = checklist(session, case)
    item = _item(found, case, key)
    assert found is not None
    note = (note or "").strip() or None
    if note and len(note) > 1000:
        raise InvalidInput("at most 1000 characters", field="note")
    row = session.scalar(select(ChecklistTick).where(ChecklistTick.case_id == case.id,
                                                     ChecklistTick.item_id == item.id))
    if row is not None and row.done:
        return found  # ticked already: nothing to record
    if row is None:
        row = ChecklistTick(case_id=case.id, sop_id=found.sop.id, item_id=item.id)
        session.add(row)
    row.done_by_id, row.done_at, row.note = user.id, now, note
    row.undone_by_id = row.undone_at = None
    session.flush()
    record(session, kind="sop.item_ticked", category="state", actor=actor, case_id=case.id,
           at=now, payload={"sop": f"{found.sop.kind} v{found.sop.version}", "item": key,
                            "text": item.text, "required": item.required, "note": note})
    return checklist(session, case) or found


def untick(session: Session, case: Case, key: str, *, user: User, actor: Actor,
           now: datetime) -> Checklist:
    """Mark the item not done; the tick's who and when stay on the timeline."""
    _check_open(case)
    found = checklist(session, case)
    item = _item(found, case, key)
    assert found is not None
    row = session.scalar(select(ChecklistTick).where(ChecklistTick.case_id == case.id,
                                                     ChecklistTick.item_id == item.id))
    if row is None or not row.done:
        return found
    row.undone_by_id, row.undone_at = user.id, now
    session.flush()
    record(session, kind="sop.item_unticked", category="state", actor=actor, case_id=case.id,
           at=now, payload={"sop": f"{found.sop.kind} v{found.sop.version}", "item": key,
                            "text": item.text, "required": item.required})
    return checklist(session, case) or found


def tick_required(session: Session, case: Case, *, user: User, actor: Actor,
                  now: datetime, note: str | None = None) -> None:
    """Tick every required item not done (the demo's workers, who do the steps)."""
    found = checklist(session, case)
    for item in found.missing if found else []:
        tick(session, case, item.key, user=user, actor=actor, now=now, note=note)
