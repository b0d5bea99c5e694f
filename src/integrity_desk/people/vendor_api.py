"""Teams and vendors (docs/workforce.md): teams are listed for whoever reads queues; vendors,
their contracts and every change are for managers and admins (``workforce.manage``)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter
from sqlalchemy.orm import Session

from integrity_desk.api.deps import QueueReader, SessionDep, WorkforceManager
from integrity_desk.api.paging import RowId
from integrity_desk.people import domain, teams, vendors
from integrity_desk.people.models import Team, Vendor, VendorContract
from integrity_desk.people.schemas import (
    CommitmentOut,
    CommitmentsIn,
    ContractIn,
    ContractOut,
    TeamChange,
    TeamIn,
    TeamOut,
    VendorChange,
    VendorDetail,
    VendorIn,
    VendorOut,
)

router = APIRouter(tags=["workforce"])


def team_out(team: Team) -> TeamOut:
    return TeamOut(id=team.id, name=team.name, kind=team.kind,
                   vendor=team.vendor.name if team.vendor else None, vendor_id=team.vendor_id,
                   calendar_id=team.calendar_id)


def contract_outs(session: Session, contracts: Sequence[VendorContract]) -> list[ContractOut]:
    slugs = vendors.queue_slugs(session, contracts)
    day = vendors.today()
    return [ContractOut(
        id=c.id, starts_on=c.starts_on, ends_on=c.ends_on,
        in_force=domain.in_force(c.starts_on, c.ends_on, day),
        commitments=[CommitmentOut(queue=slugs[m.queue_id], weekly_volume=m.weekly_volume)
                     for m in c.commitments],
        **{name: getattr(c, name) for name in domain.TARGETS}) for c in contracts]


def vendor_outs(session: Session, found: Sequence[Vendor]) -> list[VendorOut]:
    ids = [v.id for v in found]
    team_names = vendors.teams_of(session, ids)
    current = vendors.contracts_in_force(session, ids)
    in_force = [c for c in current.values() if c is not None]
    shown = {c.vendor_id: out for c, out in zip(in_force, contract_outs(session, in_force),
                                                strict=True)}
    return [VendorOut(id=v.id, name=v.name, languages=v.languages, time_zone=v.time_zone,
                      coverage=v.coverage, active=v.active, teams=team_names[v.id],
                      contract=shown.get(v.id)) for v in found]


def vendor_detail(session: Session, vendor: Vendor) -> VendorDetail:
    brief = vendor_outs(session, [vendor])[0]
    return VendorDetail(**brief.model_dump(exclude={"contract"}), contract=brief.contract,
                        contracts=contract_outs(session, vendors.contracts(session, vendor.id)))


@router.get("/teams", response_model=list[TeamOut])
def list_teams(session: SessionDep, principal: QueueReader) -> list[TeamOut]:
    return [team_out(t) for t in teams.list_teams(session)]


@router.post("/teams", response_model=TeamOut, status_code=201)
def create_team(body: TeamIn, session: SessionDep, principal: WorkforceManager) -> TeamOut:
    team = teams.create_team(session, actor=principal.actor, **body.model_dump())
    return team_out(team)


@router.patch("/teams/{team_id}", response_model=TeamOut)
def update_team(team_id: RowId, body: TeamChange, session: SessionDep,
                principal: WorkforceManager) -> TeamOut:
    """Change the named fields; a field sent as null is cleared (a vendor, a calendar)."""
    team = teams.update_team(session, actor=principal.actor, team_id=team_id,
                             changes=body.model_dump(exclude_unset=True))
    return team_out(team)


@router.get("/vendors", response_model=list[VendorOut])
def list_vendors(session: SessionDep, principal: WorkforceManager) -> list[VendorOut]:
    return vendor_outs(session, vendors.list_vendors(session))


@router.post("/vendors", response_model=VendorDetail, status_code=201)
def create_vendor(body: VendorIn, session: SessionDep,
                  principal: WorkforceManager) -> VendorDetail:
    vendor = vendors.create_vendor(session, actor=principal.actor, **body.model_dump())
    return vendor_detail(session, vendor)


@router.get("/vendors/{vendor_id}", response_model=VendorDetail)
def get_vendor(vendor_id: RowId, session: SessionDep,
               principal: WorkforceManager) -> VendorDetail:
    """The vendor, the contract in force today and every contract (newest first)."""
    return vendor_detail(session, vendors.get_vendor(session, vendor_id))


@router.patch("/vendors/{vendor_id}", response_model=VendorDetail)
def update_vendor(vendor_id: RowId, body: VendorChange, session: SessionDep,
                  principal: WorkforceManager) -> VendorDetail:
    vendor = vendors.update_vendor(session, actor=principal.actor, vendor_id=vendor_id,
                                   changes=body.model_dump(exclude_unset=True))
    return vendor_detail(session, vendor)


@router.put("/vendors/{vendor_id}/contract", response_model=VendorDetail)
def set_contract(vendor_id: RowId, body: ContractIn, session: SessionDep,
                 principal: WorkforceManager) -> VendorDetail:
    """A new contract from ``starts_on`` (the latest one's period ends the day before), or the
    latest one amended when ``starts_on`` is its start. Periods never overlap."""
    targets = body.model_dump(include=set(domain.TARGETS))
    vendors.set_contract(session, actor=principal.actor, vendor_id=vendor_id,
                         starts_on=body.starts_on, ends_on=body.ends_on, targets=targets)
    return vendor_detail(session, vendors.get_vendor(session, vendor_id))


@router.put("/vendors/{vendor_id}/commitments", response_model=VendorDetail)
def set_commitments(vendor_id: RowId, body: CommitmentsIn, session: SessionDep,
                    principal: WorkforceManager) -> VendorDetail:
    """Replace the weekly volume commitments per queue of the vendor's latest contract."""
    vendors.set_commitments(
        session, actor=principal.actor, vendor_id=vendor_id,
        commitments=[vendors.Commitment(c.queue, c.weekly_volume) for c in body.commitments])
    return vendor_detail(session, vendors.get_vendor(session, vendor_id))
