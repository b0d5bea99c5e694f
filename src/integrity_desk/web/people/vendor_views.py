"""Teams and vendors as the console shows them (the Teams and Vendors pages), shaped from the
services' objects; the queries are the services' (people/teams.py, people/vendors.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from integrity_desk.people import domain
from integrity_desk.people.models import Team, Vendor, VendorContract

DAY_NAMES = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
             "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}
TARGET_LABELS = {
    "first_response_attainment": ("First response SLA attainment", "fraction 0–1"),
    "resolution_attainment": ("Resolution SLA attainment", "fraction 0–1"),
    "qa_accuracy": ("QA accuracy", "fraction 0–1"),
    "aht_minutes": ("Average handling time", "minutes"),
    "backlog_age_p90_hours": ("Backlog age, 90th percentile", "hours"),
}


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    kind: str
    vendor: str | None


def team_rows(teams: Sequence[Team]) -> list[TeamRow]:
    return [TeamRow(t.id, t.name, t.kind, t.vendor.name if t.vendor else None) for t in teams]


def hours_text(intervals: Sequence[Sequence[str]]) -> str:
    """[["08:00", "12:00"], ["13:00", "17:00"]] as the form shows it: "08:00-12:00, 13:00-17:00"."""
    return ", ".join(f"{a}-{b}" for a, b in intervals)


def coverage_text(coverage: Mapping[str, Sequence[Sequence[str]]]) -> str:
    return "; ".join(f"{day} {hours_text(coverage[day])}" for day in domain.DAYS
                     if day in coverage) or "none"


@dataclass(frozen=True)
class VendorRow:
    id: int
    name: str
    active: bool
    languages: str
    time_zone: str
    coverage: str
    teams: str
    contract_from: date | None


def vendor_rows(vendors: Sequence[Vendor], teams: Mapping[int, list[str]],
                in_force: Mapping[int, VendorContract | None]) -> list[VendorRow]:
    rows = []
    for v in vendors:
        current = in_force.get(v.id)
        rows.append(VendorRow(v.id, v.name, v.active, ", ".join(v.languages), v.time_zone,
                              coverage_text(v.coverage), ", ".join(teams.get(v.id, [])),
                              current.starts_on if current else None))
    return rows


def shown_target(name: str, value: float | None) -> str:
    if value is None:
        return "no target"
    if name in domain.FRACTIONS:
        return f"{value * 100:g}%"
    return f"{value:g} {TARGET_LABELS[name][1]}"


@dataclass(frozen=True)
class ContractRow:
    starts_on: date
    ends_on: date | None
    in_force: bool
    targets: list[tuple[str, str]]
    commitments: list[tuple[str, int]]


def contract_rows(contracts: Sequence[VendorContract], slugs: Mapping[int, int | str],
                  today: date) -> list[ContractRow]:
    return [ContractRow(
        c.starts_on, c.ends_on, domain.in_force(c.starts_on, c.ends_on, today),
        [(TARGET_LABELS[n][0], shown_target(n, getattr(c, n))) for n in domain.TARGETS],
        [(str(slugs[m.queue_id]), m.weekly_volume) for m in c.commitments])
        for c in contracts]


def vendor_values(vendor: Vendor) -> dict[str, str | bool]:
    """The vendor as its edit form shows it."""
    values: dict[str, str | bool] = {"name": vendor.name, "time_zone": vendor.time_zone,
                                     "languages": ", ".join(vendor.languages),
                                     "active": vendor.active}
    for day in domain.DAYS:
        values[f"coverage_{day}"] = hours_text(vendor.coverage.get(day, []))
    return values
