"""The weekly report: generated from the hand-built week of test_figures, kept (one row per
week, a second generation replacing the first), listed and served in the console, made by the
worker on Mondays and by `idesk report weekly`; its CSV holds the same figures as the KPIs."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database
from integrity_desk.errors import InvalidInput
from integrity_desk.kpis import reports
from integrity_desk.kpis.models import WeeklyReport
from integrity_desk.people.models import Team, User
from integrity_desk.routing.models import Queue
from tests.conftest import Person
from tests.kpis.test_figures import W13, _week, at


def _csv(bundle: bytes, name: str) -> list[list[str]]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        return list(csv.reader(io.StringIO(archive.read(f"2026-W13/{name}.csv").decode())))


@pytest.fixture
def week(db: Database, make_person: Callable[..., Person],
         make_team: Callable[..., Team]) -> dict[str, Any]:
    return _week(db, make_person, make_team)


def test_the_reports_tables_hold_the_weeks_figures(db: Database, week: dict[str, Any]) -> None:
    with db.session() as s:
        kept = reports.generate(s, W13, now=at(30, 15), actor=SYSTEM)
        html, bundle = kept.html, kept.bundle
    summary = _csv(bundle, "summary")
    heading, this_week = summary[0], summary[1]
    got = dict(zip(heading, this_week, strict=True))
    assert got["Week"] == "2026-W13"
    assert (got["Inflow"], got["Outflow"], got["Net flow"]) == ("7", "6", "1")
    assert got["Reopen rate (30 days)"] == f"{1 / 6:.4f}"
    assert got["Overturn rate"] == "0.5000"
    assert got["QA accuracy"] == "no data"  # never 0 % or 100 %
    by_vendor = {row[0]: row for row in _csv(bundle, "by_vendor")[1:]}
    assert set(by_vendor) == {"Acme", "In-house teams"}
    # The funnel: the week's seven cases, five of them flags from the business reporter
    # (the factories' default); the appeals are a later step, not received flags.
    funnel = {row[0]: row for row in _csv(bundle, "funnel_by_source")[1:]}
    assert funnel["All sources"][1] == "5"
    trend = _csv(bundle, "trend")
    assert [row[0] for row in trend[1:]][-1] == "2026-W13" and len(trend) == 13
    assert "Weekly report 2026-W13" in html and "2026-03-23 to 2026-03-29" in html
    # No personal data: the people's addresses appear nowhere.
    with db.session() as s:
        emails = s.scalars(select(User.email)).all()
    assert not any(e in html or e.encode() in bundle for e in emails)


def test_a_name_a_spreadsheet_would_run_is_written_as_text(db: Database,
                                                          week: dict[str, Any]) -> None:
    with db.session() as s:
        s.execute(update(Queue).where(Queue.slug == "flags").values(name='=HYPERLINK("x")'))
        bundle = reports.generate(s, W13, now=at(30, 15), actor=SYSTEM).bundle
    names = [row[0] for row in _csv(bundle, "by_queue")[1:]]
    assert '\'=HYPERLINK("x")' in names


def test_generating_a_week_again_replaces_it(db: Database, week: dict[str, Any]) -> None:
    with db.session() as s:
        reports.generate(s, W13, now=at(30, 15), actor=SYSTEM)
    with db.session() as s:
        reports.generate(s, W13, now=at(30, 16), actor=SYSTEM)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(WeeklyReport)) == 1
        assert reports.kept(s, "2026-W13").generated_at == at(30, 16)
        assert [r.week for r in reports.listed(s)] == ["2026-W13"]


def test_the_worker_makes_last_weeks_report_on_monday_once(db: Database) -> None:
    monday = datetime(2026, 12, 7, 6, tzinfo=UTC)
    with db.session() as s:
        assert reports.run_job(s, monday, SYSTEM) == "generated 2026-W49"
    with db.session() as s:
        assert reports.run_job(s, monday.replace(hour=7), SYSTEM) == \
            "2026-W49 is there already"


def test_a_week_is_written_as_an_iso_week(db: Database) -> None:
    with pytest.raises(InvalidInput) as refused:
        reports.week_of("2026-12")
    assert refused.value.field == "week"


def test_the_console_lists_and_serves_the_reports(db: Database, week: dict[str, Any],
                                                  sign_in: Any, make_person: Any) -> None:
    with db.session() as s:
        reports.generate(s, W13, now=at(30, 15), actor=SYSTEM)
    viewer = sign_in(make_person("viewer"))
    listing = viewer.client.get("/reports")
    assert listing.status_code == 200
    assert 'href="/reports/2026-W13.html"' in listing.text
    page = viewer.client.get("/reports/2026-W13.html")
    assert page.status_code == 200 and "Weekly report 2026-W13" in page.text
    archive = viewer.client.get("/reports/2026-W13.zip")
    assert archive.headers["content-type"] == "application/zip"
    assert _csv(archive.content, "summary")[1][0] == "2026-W13"
    assert viewer.client.get("/reports/2026-W12.html").status_code == 404
