"""The Team page's "today" starts at midnight UTC of the day harmful exposures count on,
whatever offset the moment is given in."""

from datetime import UTC, datetime, timedelta, timezone

from integrity_desk.routing.workload import day_start


def test_today_is_the_utc_day_of_the_moment() -> None:
    late_in_berlin = datetime(2026, 12, 7, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert day_start(late_in_berlin) == datetime(2026, 12, 6, tzinfo=UTC)
    assert day_start(datetime(2026, 12, 7, 23, 59, tzinfo=UTC)) == datetime(2026, 12, 7,
                                                                             tzinfo=UTC)
