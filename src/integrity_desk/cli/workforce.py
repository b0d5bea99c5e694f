"""`idesk team list | create | update` and `idesk vendor list | create | show | update |
contract | commit`: teams, vendors and their contracts (docs/workforce.md).

Run on the server by whoever holds its database URL, so they act as the system and are audited
as such. Each command is one transaction; a refusal names its field and exits with status 2.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from integrity_desk.cli.common import database, fail, lazy
from integrity_desk.errors import DeskError, InvalidInput

audit = lazy("integrity_desk.audit.service")
domain = lazy("integrity_desk.people.domain")
teams = lazy("integrity_desk.people.teams")
vendors = lazy("integrity_desk.people.vendors")
people_service = lazy("integrity_desk.people.service")

team_app = typer.Typer(help="Teams: internal or a vendor's.", no_args_is_help=True)
vendor_app = typer.Typer(help="Vendors, their contracts (KPI targets) and weekly commitments.",
                         no_args_is_help=True)
out = Console()

Vendor = Annotated[str | None, typer.Option(help="the vendor's name (a vendor team needs one)")]
Calendar = Annotated[str | None, typer.Option(help="an SLA calendar's name")]


def _languages(raw: str | None) -> list[str] | None:
    return None if raw is None else [p.strip() for p in raw.split(",") if p.strip()]


def _coverage(raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        raise InvalidInput('JSON such as {"mon": [["08:00", "20:00"]]}',
                           field="coverage") from None
    return value if isinstance(value, dict) else {"": value}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}" if value * 100 == round(value * 100) \
        else f"{value:.1%}"


def _num(value: float | None, unit: str) -> str:
    return "–" if value is None else f"{value:g} {unit}"


def _team_table(found: list[Any]) -> Table:
    table = Table("id", "team", "kind", "vendor")
    for t in found:
        table.add_row(str(t.id), t.name, t.kind, t.vendor.name if t.vendor else "")
    return table


@team_app.command("list")
def team_list() -> None:
    """Every team with its kind and vendor."""
    with database().session() as session:
        out.print(_team_table(teams.list_teams(session)))


@team_app.command("create")
def team_create(name: str, kind: Annotated[str, typer.Option(
                    help="internal or vendor")] = "internal",
                vendor: Vendor = None, calendar: Calendar = None) -> None:
    """Add a team; `--kind vendor --vendor NAME` for a vendor's."""
    try:
        with database().session() as session:
            team = teams.create_team(session, actor=audit.SYSTEM, name=name, kind=kind,
                                     vendor=vendor, calendar=calendar)
            out.print(_team_table([team]))
    except DeskError as exc:
        fail(exc)


@team_app.command("update")
def team_update(name: str, new_name: Annotated[str | None, typer.Option(
                    "--name", help="a new name")] = None,
                kind: Annotated[str | None, typer.Option(help="internal or vendor")] = None,
                vendor: Vendor = None, calendar: Calendar = None) -> None:
    """Change a team (named by its current name)."""
    changes = {k: v for k, v in (("name", new_name), ("kind", kind), ("vendor", vendor),
                                 ("calendar", calendar)) if v is not None}
    try:
        with database().session() as session:
            team = people_service.get_team_by_name(session, name)
            team = teams.update_team(session, actor=audit.SYSTEM, team_id=team.id, changes=changes)
            out.print(_team_table([team]))
    except DeskError as exc:
        fail(exc)


def _coverage_text(coverage: dict[str, list[list[str]]]) -> str:
    return "; ".join(f"{day} " + ", ".join(f"{a}–{b}" for a, b in coverage[day])
                     for day in domain.DAYS if day in coverage) or "none"


def _contract_table(contracts: list[Any], slugs: dict[int, str]) -> Table:
    table = Table("from", "to", "first response", "resolution", "QA accuracy", "AHT",
                  "backlog age p90", "weekly commitments", title="Contracts, newest first")
    for c in contracts:
        commits = ", ".join(f"{slugs[m.queue_id]} {m.weekly_volume:,}" for m in c.commitments)
        table.add_row(c.starts_on.isoformat(), c.ends_on.isoformat() if c.ends_on else "open",
                      _pct(c.first_response_attainment), _pct(c.resolution_attainment),
                      _pct(c.qa_accuracy), _num(c.aht_minutes, "min"),
                      _num(c.backlog_age_p90_hours, "h"), commits or "–")
    return table


def _show(session: Any, vendor: Any) -> None:
    team_names = vendors.teams_of(session, [vendor.id])[vendor.id]
    out.print(f"[bold]{vendor.name}[/bold] ({'active' if vendor.active else 'inactive'})")
    out.print(f"languages: {', '.join(vendor.languages) or 'none'}")
    out.print(f"coverage ({vendor.time_zone}): {_coverage_text(vendor.coverage)}")
    out.print(f"teams: {', '.join(team_names) or 'none'}")
    history = vendors.contracts(session, vendor.id)
    out.print(_contract_table(history, vendors.queue_slugs(session, history)))


@vendor_app.command("list")
def vendor_list() -> None:
    """Every vendor with its teams and the contract in force today."""
    with database().session() as session:
        found = vendors.list_vendors(session)
        team_names = vendors.teams_of(session, [v.id for v in found])
        in_force = vendors.contracts_in_force(session, [v.id for v in found])
        table = Table("id", "vendor", "active", "languages", "time zone", "teams",
                      "contract in force")
        for v in found:
            current = in_force[v.id]
            table.add_row(str(v.id), v.name, "yes" if v.active else "no",
                          ", ".join(v.languages), v.time_zone, ", ".join(team_names[v.id]),
                          f"from {current.starts_on.isoformat()}" if current else "none")
        out.print(table)


Languages = Annotated[str | None, typer.Option(help="comma-separated codes, as en,de")]
TimeZone = Annotated[str | None, typer.Option(help="an IANA time zone, as Europe/Lisbon")]
CoverageOpt = Annotated[str | None, typer.Option(
    help='weekly hours as JSON: {"mon": [["08:00", "20:00"]], …}')]


@vendor_app.command("create")
def vendor_create(name: str, languages: Languages = None, time_zone: TimeZone = None,
                  coverage: CoverageOpt = None) -> None:
    """Add a vendor."""
    try:
        with database().session() as session:
            vendor = vendors.create_vendor(
                session, actor=audit.SYSTEM, name=name, languages=_languages(languages),
                time_zone=time_zone or "UTC", coverage=_coverage(coverage))
            _show(session, vendor)
    except DeskError as exc:
        fail(exc)


@vendor_app.command("update")
def vendor_update(name: str, new_name: Annotated[str | None, typer.Option(
                      "--name", help="a new name")] = None,
                  languages: Languages = None, time_zone: TimeZone = None,
                  coverage: CoverageOpt = None,
                  active: Annotated[bool | None, typer.Option(
                      "--active/--inactive", help="whether the desk works with it")] = None
                  ) -> None:
    """Change a vendor (named by its current name)."""
    changes = {k: v for k, v in (("name", new_name), ("languages", _languages(languages)),
                                 ("time_zone", time_zone), ("active", active)) if v is not None}
    try:
        if coverage is not None:
            changes["coverage"] = _coverage(coverage)
        with database().session() as session:
            vendor = vendors.get_vendor_by_name(session, name)
            vendors.update_vendor(session, actor=audit.SYSTEM, vendor_id=vendor.id, changes=changes)
            _show(session, vendor)
    except DeskError as exc:
        fail(exc)


@vendor_app.command("show")
def vendor_show(name: str) -> None:
    """A vendor: languages, coverage, teams and every contract with its commitments."""
    try:
        with database().session() as session:
            _show(session, vendors.get_vendor_by_name(session, name))
    except DeskError as exc:
        fail(exc)


def _day(raw: str | None, field: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("a date as 2026-01-31", field=field) from None


Fraction = Annotated[float | None, typer.Option(help="a fraction 0–1 (0.95 is 95%)")]


@vendor_app.command("contract")
def vendor_contract(
    name: str,
    starts_on: Annotated[str, typer.Option(help="first day in force, as 2026-01-01")],
    ends_on: Annotated[str | None, typer.Option(help="last day in force; none: open-ended")]
    = None,
    first_response: Fraction = None, resolution: Fraction = None, qa_accuracy: Fraction = None,
    aht_minutes: Annotated[float | None, typer.Option(help="average handling time")] = None,
    backlog_p90_hours: Annotated[float | None, typer.Option(
        help="90th percentile of the backlog's age")] = None,
) -> None:
    """Set the vendor's contract from a day: the latest one's period ends the day before (the
    same start day amends it). A target left out is no target."""
    targets = {"first_response_attainment": first_response,
               "resolution_attainment": resolution, "qa_accuracy": qa_accuracy,
               "aht_minutes": aht_minutes, "backlog_age_p90_hours": backlog_p90_hours}
    try:
        start = _day(starts_on, "starts_on")
        assert start is not None
        with database().session() as session:
            vendor = vendors.get_vendor_by_name(session, name)
            vendors.set_contract(session, actor=audit.SYSTEM, vendor_id=vendor.id, starts_on=start,
                                 ends_on=_day(ends_on, "ends_on"), targets=targets)
            _show(session, vendor)
    except DeskError as exc:
        fail(exc)


@vendor_app.command("commit")
def vendor_commit(name: str, volumes: Annotated[list[str], typer.Argument(
        help="QUEUE=CASES_A_WEEK, as flags=1200 (replaces the latest contract's commitments)")]
                  ) -> None:
    """Set the weekly volume commitments per queue of the vendor's latest contract."""
    try:
        commitments = []
        for item in volumes:
            queue, _, volume = item.partition("=")
            if not queue or not volume.strip().isdigit() or len(volume) > 9:
                raise InvalidInput(f"{item!r}: QUEUE=CASES_A_WEEK, as flags=1200",
                                   field="commitments")
            commitments.append(vendors.Commitment(queue.strip(), int(volume)))
        with database().session() as session:
            vendor = vendors.get_vendor_by_name(session, name)
            vendors.set_commitments(session, actor=audit.SYSTEM, vendor_id=vendor.id,
                                    commitments=commitments)
            _show(session, vendor)
    except DeskError as exc:
        fail(exc)
