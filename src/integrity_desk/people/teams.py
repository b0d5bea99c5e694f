"""Teams: create, change and list them. A team is internal or a vendor's (people/domain.py);
each change is audited on the configuration chain. Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from integrity_desk.audit.service import Actor, record
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.people import domain
from integrity_desk.people.models import Team, TeamKind, Vendor
from integrity_desk.people.names import named, unique_name
from integrity_desk.sla.models import SlaCalendar

EDITABLE = ("name", "kind", "vendor", "calendar")


def snapshot(team: Team) -> dict[str, Any]:
    return {"name": team.name, "kind": team.kind,
            "vendor": team.vendor.name if team.vendor else None,
            "calendar_id": team.calendar_id}


def list_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).options(selectinload(Team.vendor))
                                .order_by(Team.name)))


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team #{team_id}", field="team_id")
    return team


def _vendor(session: Session, name: str | None) -> Vendor | None:
    """The vendor a team belongs to, by name; an unknown one is a field of the team to correct."""
    return named(session, Vendor, name, field="vendor") if name else None


def _calendar(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    found = session.scalar(select(SlaCalendar.id).where(SlaCalendar.name == name))
    if found is None:
        raise InvalidInput(f"no SLA calendar named {name!r}", field="calendar")
    return found


def _name(session: Session, name: str, *, other_than: int | None = None) -> str:
    return unique_name(session, Team, name, what="team", other_than=other_than)


def create_team(session: Session, *, actor: Actor, name: str, kind: str = TeamKind.INTERNAL,
                vendor: str | None = None, calendar: str | None = None) -> Team:
    domain.check_team_vendor(kind, bool(vendor))
    team = Team(name=_name(session, name), kind=kind, calendar_id=_calendar(session, calendar))
    team.vendor = _vendor(session, vendor)
    session.add(team)
    session.flush()
    record(session, kind="team.created", category="audit", actor=actor, chain_key="config",
           payload={"team_id": team.id, **snapshot(team)})
    return team


def update_team(session: Session, *, actor: Actor, team_id: int,
                changes: Mapping[str, Any]) -> Team:
    """Apply the named changes. Turning a team into a vendor's names the vendor in the same
    change; turning it internal drops its vendor."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"cannot change {unknown}", field=unknown[0])
    team = get_team(session, team_id)
    before = snapshot(team)
    kind = changes.get("kind") or team.kind
    if "vendor" in changes:
        vendor = _vendor(session, changes["vendor"])
    else:
        vendor = None if kind == TeamKind.INTERNAL else team.vendor
    domain.check_team_vendor(kind, vendor is not None)
    if "name" in changes:
        team.name = _name(session, changes["name"], other_than=team.id)
    if "calendar" in changes:
        team.calendar_id = _calendar(session, changes["calendar"])
    team.kind = kind
    team.vendor = vendor
    session.flush()
    after = snapshot(team)
    if after != before:
        record(session, kind="team.updated", category="audit", actor=actor, chain_key="config",
               payload={"team_id": team.id, "before": before, "after": after})
    return team
