"""`idesk person list | show | update | availability | exception | cancel-exception`: what
people work, how much, when, and whether they are there now (docs/workforce.md).

Run on the server by whoever holds its database URL, so they act as the system and are audited
as such. Each command is one transaction; a refusal names its field and exits with status 2.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from integrity_desk.cli.common import database, fail, lazy
from integrity_desk.errors import DeskError, InvalidInput

audit = lazy("integrity_desk.audit.service")
db_module = lazy("integrity_desk.db")
certifications = lazy("integrity_desk.people.certifications")
domain = lazy("integrity_desk.people.domain")
roster = lazy("integrity_desk.people.roster")
schedule = lazy("integrity_desk.people.schedule")
shifts = lazy("integrity_desk.people.shifts")
people_models = lazy("integrity_desk.people.models")
people_service = lazy("integrity_desk.people.service")

person_app = typer.Typer(help="People: skills, capacity, shifts, exceptions, availability.",
                         no_args_is_help=True)
out = Console()


def _list(raw: str | None) -> list[str] | None:
    return None if raw is None else [p.strip() for p in raw.split(",") if p.strip()]


def _roster_table(rows: list[roster.RosterRow]) -> Table:
    table = Table("person", "team", "vendor", "availability", "shift", "in hand", "ready")
    for row in rows:
        p, ready = row.person, row.readiness
        table.add_row(f"{p.name} <{p.email}>", p.team.name if p.team else "",
                      row.vendor.name if row.vendor else "", p.availability, ready.shift.why,
                      f"{ready.in_hand} of {ready.capacity}" if ready.capacity else
                      str(ready.in_hand),
                      "yes" if ready.ready else "no: " + "; ".join(ready.reasons))
    return table


@person_app.command("list")
def person_list(team: Annotated[str | None, typer.Option(help="one team's people")] = None,
                vendor: Annotated[str | None, typer.Option(help="one vendor's people")] = None
                ) -> None:
    """Everyone active, with availability, shift now, cases in hand and readiness."""
    try:
        with database().session() as session:
            out.print(_roster_table(roster.roster(
                session, None, manages=True, now=db_module.utcnow(), team=team,
                vendor=vendor)))
    except DeskError as exc:
        fail(exc)


def _show(session: Any, person: people_models.User) -> None:
    now = db_module.utcnow()
    out.print(_roster_table(roster.roster(session, None, manages=True, now=now,
                                          email=person.email, active_only=False)))
    held = certifications.held(session, [person.id], now)[person.id]
    out.print(f"languages: {', '.join(person.languages) or 'any'}; case kinds: "
              f"{', '.join(person.kinds) or 'any'}; skills: {', '.join(person.skills) or '–'}; "
              f"tier up to {person.max_tier}; certifications: {', '.join(sorted(held)) or '–'}")
    week = domain.week_text(person.shift_pattern) or "not scheduled"
    out.print(f"shifts ({person.time_zone}): {week} — "
              f"{shifts.weekly_hours(person.shift_pattern):g} h a week")
    coming = schedule.exceptions_of(session, [person.id], ending_after=now)[person.id]
    if coming:
        table = Table("id", "kind", "from", "until", "note", title="Exceptions")
        for e in coming:
            table.add_row(str(e.id), e.kind, f"{e.starts_at:%Y-%m-%d %H:%M}",
                          f"{e.ends_at:%Y-%m-%d %H:%M}", e.note or "")
        out.print(table)


@person_app.command("show")
def person_show(email: str) -> None:
    """One person's whole working profile."""
    try:
        with database().session() as session:
            _show(session, people_service.get_user_by_email(session, email))
    except DeskError as exc:
        fail(exc)


@person_app.command("update")
def person_update(
    email: str,
    capacity: Annotated[int | None, typer.Option(help="most cases in hand at once")] = None,
    no_capacity: Annotated[bool, typer.Option("--no-capacity", help="no limit")] = False,
    languages: Annotated[str | None, typer.Option(help="comma-separated codes: de,pl")] = None,
    kinds: Annotated[str | None, typer.Option(help="case kinds, comma-separated ('' any)")
                     ] = None,
    skills: Annotated[str | None, typer.Option(help="named skills, comma-separated")] = None,
    tier: Annotated[int | None, typer.Option(help="highest tier worked (1-3)")] = None,
    time_zone: Annotated[str | None, typer.Option(help="IANA name: Europe/Lisbon")] = None,
    shifts_: Annotated[str | None, typer.Option(
        "--shifts", help="\"mon-fri 09:00-17:00; sat 10:00-14:00\" ('' not scheduled)")] = None,
    team: Annotated[str | None, typer.Option(help="the team's name")] = None,
) -> None:
    """Change what a person works, how much and when."""
    try:
        changes: dict[str, Any] = {k: v for k, v in (
            ("languages", _list(languages)), ("kinds", _list(kinds)),
            ("skills", _list(skills)), ("max_tier", tier), ("capacity", capacity),
            ("time_zone", time_zone), ("team", team)) if v is not None}
        if no_capacity:
            changes["capacity"] = None
        if shifts_ is not None:
            changes["shift_pattern"] = domain.parse_week(shifts_)
        with database().session() as session:
            person = people_service.get_user_by_email(session, email)
            schedule.update_person(session, actor=audit.SYSTEM, user=person, changes=changes)
            _show(session, person)
    except DeskError as exc:
        fail(exc)


@person_app.command("availability")
def person_availability(email: str, status: Annotated[str, typer.Argument(
                            help="available, away, training or off")],
                        reason: Annotated[str | None, typer.Option()] = None) -> None:
    """Set a person available, away, in training or off (recorded)."""
    try:
        with database().session() as session:
            person = people_service.get_user_by_email(session, email)
            schedule.set_availability(session, actor=audit.SYSTEM, person=person, status=status,
                                      reason=reason, now=db_module.utcnow())
            _show(session, person)
    except DeskError as exc:
        fail(exc)


def _moment(raw: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{raw!r} is not a date and time such as 2026-12-24T00:00Z",
                           field=field) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{raw!r}: give the offset, as 2026-12-24T00:00Z or +01:00",
                           field=field)
    return moment


@person_app.command("exception")
def person_exception(
    email: str,
    kind: Annotated[str, typer.Option(help="leave, sick, training or extra")],
    starts: Annotated[str, typer.Option("--from", help="2026-12-24T00:00Z")],
    ends: Annotated[str, typer.Option("--until", help="the first moment after it")],
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add leave, sickness, training or an extra shift."""
    try:
        starts_at, ends_at = _moment(starts, "starts_at"), _moment(ends, "ends_at")
        with database().session() as session:
            person = people_service.get_user_by_email(session, email)
            schedule.add_exception(session, actor=audit.SYSTEM, person=person, kind=kind,
                                   starts_at=starts_at, ends_at=ends_at, note=note)
            _show(session, person)
    except DeskError as exc:
        fail(exc)


@person_app.command("cancel-exception")
def person_cancel_exception(email: str, exception_id: int) -> None:
    """Remove an exception that is not over yet."""
    try:
        with database().session() as session:
            person = people_service.get_user_by_email(session, email)
            schedule.cancel_exception(session, actor=audit.SYSTEM, person=person,
                                      exception_id=exception_id, now=db_module.utcnow())
            _show(session, person)
    except DeskError as exc:
        fail(exc)
