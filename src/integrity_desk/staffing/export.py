"""The staffing plan as CSV: one row per queue and hour, every figure the console shows, for
Workforce Management's own tools (a spreadsheet, a scheduling system)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from integrity_desk.staffing.plan import Plan

COLUMNS = ["hour_utc", "vendor", "team", "queue", "forecast_arrivals", "workload",
           "calendar_open", "aht_minutes", "load_erlangs", "required_handling",
           "required_on_shift", "scheduled", "gap", "occupancy", "expected_service_level",
           "target_minutes", "service_level_target"]


def _cell(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def rows(plan: Plan) -> Iterator[list[str]]:
    yield COLUMNS
    aht_factor = plan.what_if.aht
    for q in plan.queues:
        f = q.queue
        for h in q.hours:
            yield [h.at.strftime("%Y-%m-%dT%H:%MZ"), f.vendor, f.team, f.slug,
                   _cell(h.arrivals), _cell(h.workload), "yes" if h.open else "no",
                   _cell(f.aht_minutes * aht_factor, 1), _cell(h.load), _cell(h.required, 2),
                   _cell(h.required_on_shift, 2), _cell(h.scheduled, 2), _cell(h.gap, 2),
                   _cell(h.occupancy), _cell(h.service_level), _cell(f.target_minutes, 0),
                   _cell(f.level, 3)]


MEDIA_TYPE = "text/csv; charset=utf-8"


def download_headers(plan: Plan) -> dict[str, str]:
    """The CSV as a download named for where it starts and how far it reaches (the API's and
    the console's alike)."""
    name = f"staffing-plan-{plan.start:%Y%m%d}-{plan.weeks}w.csv"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def to_csv(plan: Plan) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows(plan))
    return buffer.getvalue()
