"""People as the Team page and the person page show them, shaped from the services' objects
(no queries here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from integrity_desk.people import domain, shifts
from integrity_desk.people.models import ShiftException, User
from integrity_desk.routing.workload import BoardRow

AVAILABILITY = (("available", "Available"), ("away", "Away"), ("training", "In training"),
                ("off", "Off"))
EXCEPTION_KINDS = (("leave", "Leave"), ("sick", "Sick"), ("training", "Training"),
                   ("extra", "Extra shift"))


@dataclass(frozen=True)
class BoardLine:
    """One person on the Team page."""

    id: int
    name: str
    email: str
    role: str
    team: str | None
    vendor: str | None
    availability: str
    on_shift: bool
    shift: str
    in_hand: int
    capacity: int | None
    handled_today: int
    seen_today: int
    harm_cap: int
    ready: bool
    reasons: list[str]

    @property
    def load(self) -> str:
        return f"{self.in_hand} of {self.capacity}" if self.capacity else f"{self.in_hand}"

    @property
    def load_share(self) -> float | None:
        """In hand over capacity (0–1), for the load bar; None without a capacity."""
        return min(self.in_hand / self.capacity, 1.0) if self.capacity else None


def board_line(board: BoardRow) -> BoardLine:
    person, ready = board.person, board.row.readiness
    vendor = board.row.vendor
    return BoardLine(person.id, person.name, person.email, person.role,
                     person.team.name if person.team else None, vendor.name if vendor else None,
                     person.availability, ready.shift.on_shift, ready.shift.why, ready.in_hand,
                     ready.capacity, board.handled_today, board.seen_today, board.harm_cap,
                     ready.ready, ready.reasons)


@dataclass(frozen=True)
class ExceptionLine:
    id: int
    kind: str
    starts: str
    ends: str
    note: str | None
    current: bool


def exception_lines(found: list[ShiftException], time_zone: str, now: datetime
                    ) -> list[ExceptionLine]:
    """Exceptions in the person's own time zone (the one their shifts are written in)."""
    zone = ZoneInfo(time_zone)
    return [ExceptionLine(e.id, dict(EXCEPTION_KINDS).get(e.kind, e.kind),
                          f"{e.starts_at.astimezone(zone):%a %d %b %Y %H:%M}",
                          f"{e.ends_at.astimezone(zone):%a %d %b %Y %H:%M}", e.note,
                          e.starts_at <= now < e.ends_at) for e in found]


def profile_values(person: User) -> dict[str, object]:
    """The profile form's fields as the person's profile stands."""
    return {"languages": ", ".join(person.languages), "kinds": ", ".join(person.kinds),
            "skills": ", ".join(person.skills), "max_tier": str(person.max_tier),
            "capacity": str(person.capacity or ""), "time_zone": person.time_zone,
            "shift_pattern": domain.week_text(person.shift_pattern),
            "team": person.team.name if person.team else ""}


def weekly(person: User) -> tuple[str, float]:
    return domain.week_text(person.shift_pattern), shifts.weekly_hours(person.shift_pattern)
