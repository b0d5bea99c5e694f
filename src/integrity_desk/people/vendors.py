"""Vendors and their contracts: create, change and list vendors; set the contract (KPI targets
over a period) and its weekly volume commitments per queue. Each change is audited on the
configuration chain. Services flush; the caller commits.

A vendor's contract periods never overlap: a new contract starts after the latest one started,
and closes that one's period the day before (docs/decisions.md, "Vendor contracts have
periods"). Setting a contract with the latest one's start day amends that contract instead.
A new contract carries the previous one's commitments until they are set anew.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.people import domain
from integrity_desk.people.models import Team, Vendor, VendorCommitment, VendorContract
from integrity_desk.people.names import unique_name
from integrity_desk.routing.models import Queue

EDITABLE = ("name", "languages", "time_zone", "coverage", "active")


@dataclass(frozen=True)
class Commitment:
    queue: str  # the queue's slug
    weekly_volume: int


def today() -> date:
    return utcnow().date()


def snapshot(vendor: Vendor) -> dict[str, Any]:
    return {"name": vendor.name, "languages": list(vendor.languages),
            "time_zone": vendor.time_zone, "coverage": dict(vendor.coverage),
            "active": vendor.active}


def contract_snapshot(contract: VendorContract) -> dict[str, Any]:
    return {"starts_on": contract.starts_on.isoformat(),
            "ends_on": contract.ends_on.isoformat() if contract.ends_on else None,
            **{name: getattr(contract, name) for name in domain.TARGETS}}


def list_vendors(session: Session) -> list[Vendor]:
    return list(session.scalars(select(Vendor).order_by(Vendor.name)))


def get_vendor(session: Session, vendor_id: int) -> Vendor:
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(f"no vendor #{vendor_id}", field="vendor_id")
    return vendor


def get_vendor_by_name(session: Session, name: str) -> Vendor:
    vendor = session.scalar(select(Vendor).where(Vendor.name == name))
    if vendor is None:
        raise NotFound(f"no vendor named {name!r}", field="vendor")
    return vendor


def teams_of(session: Session, vendor_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {v: [] for v in vendor_ids}
    if vendor_ids:
        for vendor_id, name in session.execute(
                select(Team.vendor_id, Team.name).where(Team.vendor_id.in_(vendor_ids))
                .order_by(Team.name)):
            found[vendor_id].append(name)
    return found


def contracts(session: Session, vendor_id: int) -> list[VendorContract]:
    """The vendor's contracts, newest first."""
    return list(session.scalars(select(VendorContract).where(
        VendorContract.vendor_id == vendor_id).order_by(VendorContract.starts_on.desc())))


def contract_in_force(session: Session, vendor_id: int, on: date | None = None
                      ) -> VendorContract | None:
    """The contract in force on the day (today, UTC): at most one, as periods never overlap."""
    return contracts_in_force(session, [vendor_id], on)[vendor_id]


def contracts_in_force(session: Session, vendor_ids: Sequence[int], on: date | None = None
                       ) -> dict[int, VendorContract | None]:
    """Each vendor's contract in force on the day, in one query (lists show every vendor's)."""
    day = on or today()
    found: dict[int, VendorContract | None] = dict.fromkeys(vendor_ids)
    if vendor_ids:
        for contract in session.scalars(select(VendorContract).where(
                VendorContract.vendor_id.in_(list(vendor_ids)), VendorContract.starts_on <= day,
                (VendorContract.ends_on.is_(None)) | (VendorContract.ends_on >= day))):
            found[contract.vendor_id] = contract
    return found


def queue_slugs(session: Session, contracts_: Sequence[VendorContract]) -> dict[int, str]:
    ids = {c.queue_id for contract in contracts_ for c in contract.commitments}
    if not ids:
        return {}
    return dict(session.execute(select(Queue.id, Queue.slug).where(Queue.id.in_(ids))).all())


def _name(session: Session, name: str, *, other_than: int | None = None) -> str:
    return unique_name(session, Vendor, name, what="vendor", other_than=other_than)


def create_vendor(session: Session, *, actor: Actor, name: str,
                  languages: list[str] | None = None, time_zone: str = "UTC",
                  coverage: Mapping[str, Any] | None = None, active: bool = True) -> Vendor:
    vendor = Vendor(name=_name(session, name),
                    languages=domain.check_languages(list(languages or [])),
                    time_zone=domain.check_time_zone(time_zone),
                    coverage=domain.check_coverage(coverage or {}), active=active)
    session.add(vendor)
    session.flush()
    record(session, kind="vendor.created", category="audit", actor=actor, chain_key="config",
           payload={"vendor_id": vendor.id, **snapshot(vendor)})
    return vendor


def update_vendor(session: Session, *, actor: Actor, vendor_id: int,
                  changes: Mapping[str, Any]) -> Vendor:
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"cannot change {unknown}", field=unknown[0])
    vendor = get_vendor(session, vendor_id)
    before = snapshot(vendor)
    checked: dict[str, Any] = {}
    if "name" in changes:
        checked["name"] = _name(session, changes["name"], other_than=vendor.id)
    if changes.get("languages") is not None:
        checked["languages"] = domain.check_languages(list(changes["languages"]))
    if changes.get("time_zone") is not None:
        checked["time_zone"] = domain.check_time_zone(changes["time_zone"])
    if changes.get("coverage") is not None:
        checked["coverage"] = domain.check_coverage(changes["coverage"])
    if changes.get("active") is not None:
        checked["active"] = bool(changes["active"])
    for name, value in checked.items():
        setattr(vendor, name, value)
    session.flush()
    after = snapshot(vendor)
    if after != before:
        record(session, kind="vendor.updated", category="audit", actor=actor,
               chain_key="config", payload={"vendor_id": vendor.id, "before": before,
                                            "after": after})
    return vendor


def set_contract(session: Session, *, actor: Actor, vendor_id: int, starts_on: date,
                 ends_on: date | None = None,
                 targets: Mapping[str, float | None] | None = None) -> VendorContract:
    """The vendor's contract from ``starts_on``: a new one (closing the latest one's period the
    day before) or, with the latest one's start day, that one amended. Targets left out or
    None mean "no target"."""
    targets = dict(targets or {})
    unknown = sorted(set(targets) - set(domain.TARGETS))
    if unknown:
        raise InvalidInput(f"unknown target(s) {unknown}", field=unknown[0])
    domain.check_targets(targets)
    domain.check_period(starts_on, ends_on)
    vendor = get_vendor(session, vendor_id)
    history = contracts(session, vendor.id)
    latest = history[0] if history else None
    closed: VendorContract | None = None
    if latest is not None and starts_on == latest.starts_on:
        contract, before = latest, contract_snapshot(latest)
    else:
        if latest is not None and starts_on < latest.starts_on:
            raise InvalidInput(
                f"the latest contract starts on {latest.starts_on.isoformat()}; a new one "
                "starts after it (periods never overlap)", field="starts_on")
        before = None
        contract = VendorContract(vendor_id=vendor.id, starts_on=starts_on)
        if latest is not None:
            if latest.ends_on is None or latest.ends_on >= starts_on:
                latest.ends_on = starts_on - timedelta(days=1)
                closed = latest
            contract.commitments = [VendorCommitment(queue_id=c.queue_id,
                                                     weekly_volume=c.weekly_volume)
                                    for c in latest.commitments]
        session.add(contract)
    contract.ends_on = ends_on
    for name in domain.TARGETS:
        setattr(contract, name, targets.get(name))
    session.flush()
    record(session, kind="vendor.contract_set", category="audit", actor=actor,
           chain_key="config",
           payload={"vendor_id": vendor.id, "vendor": vendor.name, "contract_id": contract.id,
                    "before": before, "after": contract_snapshot(contract),
                    "closed": ({"contract_id": closed.id,
                                "ends_on": closed.ends_on.isoformat() if closed.ends_on
                                else None} if closed else None)})
    return contract


def set_commitments(session: Session, *, actor: Actor, vendor_id: int,
                    commitments: Sequence[Commitment]) -> VendorContract:
    """Replace the weekly volume commitments of the vendor's latest contract (the one in
    force, or the next one when it is already set)."""
    vendor = get_vendor(session, vendor_id)
    history = contracts(session, vendor.id)
    if not history:
        raise InvalidInput("set the vendor's contract first: commitments belong to a contract",
                           field="contract")
    contract = history[0]
    slugs = [c.queue for c in commitments]
    if len(set(slugs)) != len(slugs):
        raise InvalidInput("a queue appears once", field="commitments")
    queues = dict(session.execute(select(Queue.slug, Queue.id).where(Queue.slug.in_(slugs)))
                  .all()) if slugs else {}
    for c in commitments:
        if c.queue not in queues:
            raise InvalidInput(f"no queue {c.queue!r}", field="queue")
        if not 0 <= c.weekly_volume <= domain.MAX_WEEKLY_VOLUME:
            raise InvalidInput(f"cases a week, 0 to {domain.MAX_WEEKLY_VOLUME:,}",
                               field="weekly_volume")
    by_id = queue_slugs(session, [contract])
    before = {by_id[c.queue_id]: c.weekly_volume for c in contract.commitments}
    contract.commitments.clear()
    session.flush()
    contract.commitments.extend(
        VendorCommitment(queue_id=queues[c.queue], weekly_volume=c.weekly_volume)
        for c in commitments)
    session.flush()
    after = {c.queue: c.weekly_volume for c in commitments}
    record(session, kind="vendor.commitments_set", category="audit", actor=actor,
           chain_key="config",
           payload={"vendor_id": vendor.id, "vendor": vendor.name, "contract_id": contract.id,
                    "before": before, "after": after})
    return contract
