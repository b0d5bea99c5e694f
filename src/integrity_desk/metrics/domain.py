"""What the console's counts mean, as pure rules: visibility classes, SLA states, UTC days.

A role's view of a queue is a sum over visibility classes of one snapshot, so the classes must
split the cases exactly as ``cases.repository.readable_clause`` does (a test compares the two
for every role):

* ``restricted`` — ``legal_restricted`` cases: managers, admins and legal counsel;
* ``legal_notice`` — unrestricted legal notices: everyone who reads cases (legal counsel too);
* ``general`` — everything else: everyone but legal counsel.

Vendor agents additionally see only their team's queues, which the queue list itself limits
(``routing.repository``, the one rule for which queues a person may see).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from integrity_desk.people.models import Role


class Visibility(StrEnum):
    GENERAL = "general"
    LEGAL_NOTICE = "legal_notice"
    RESTRICTED = "restricted"


_ALL = frozenset(Visibility)
VISIBLE: dict[Role, frozenset[Visibility]] = {
    Role.ADMIN: _ALL,
    Role.MANAGER: _ALL,
    Role.LEGAL: frozenset({Visibility.RESTRICTED, Visibility.LEGAL_NOTICE}),
    Role.SPECIALIST: frozenset({Visibility.GENERAL, Visibility.LEGAL_NOTICE}),
    Role.AGENT: frozenset({Visibility.GENERAL, Visibility.LEGAL_NOTICE}),
    Role.POLICY: frozenset({Visibility.GENERAL, Visibility.LEGAL_NOTICE}),
    Role.VIEWER: frozenset({Visibility.GENERAL, Visibility.LEGAL_NOTICE}),
}


def visible_classes(role: Role | str) -> frozenset[Visibility]:
    return VISIBLE[Role(role)]


PRIORITIES = (0, 1, 2, 3, 4)
FLOW_DAYS = 14


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def flow_window(now: datetime, days: int = FLOW_DAYS) -> list[date]:
    """The last ``days`` UTC days, oldest first, today included."""
    today = utc_day(now)
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def is_stale(computed_at: datetime | None, now: datetime, max_age_seconds: float) -> bool:
    return computed_at is None or (now - computed_at).total_seconds() > max_age_seconds
