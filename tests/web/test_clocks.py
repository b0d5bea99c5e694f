"""Clocks stop (issue 19.2): a decided, closed or merged case shows its outcome and a paused
one its frozen time left, the same on the case list, My work, the case view and the API."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from integrity_desk.db import utcnow
from tests.conftest import Person
from tests.web.test_lists import API, _flags, _set

H = timedelta(hours=1)


def _row_label(html: str, key: str) -> str | None:
    """The SLA text of the list row of `key`, and whether it ticks."""
    for row in html.split("<tr data-row>")[1:]:
        if f'href="/cases/{key}"' in row:
            assert "data-countdown" not in row, f"{key} ticks in the list"
            match = re.search(r"data-sla-label>([^<]*)<", row)
            return match.group(1) if match else None
    return None


def _view_label(html: str) -> str:
    part = html.split("<dt>Resolution</dt>", 1)[1].split("</dd>", 1)[0]
    assert "data-countdown" not in part, "the case view's resolution clock ticks"
    return re.search(r"data-sla-label>([^<]*)<", part).group(1)  # type: ignore[union-attr]


def test_stopped_clocks_read_the_same_everywhere(client: Any, db: Any, sign_in: Any,
                                                specialist: Person) -> None:
    late, on_time, merged, paused, paused_over = _flags(client, specialist, 5, prefix="clk")
    for key in (late, on_time, merged, paused, paused_over):
        assert client.post(f"{API}/cases/{key}/claim", headers=specialist.headers).is_success
    now = utcnow()
    _set(db, late, status="decided", decided_at=now - 1 * H, resolution_due_at=now - 3 * H,
         resolution_at_risk_at=now - 4 * H)
    _set(db, on_time, status="decided", decided_at=now - 2 * H, resolution_due_at=now + 1 * H,
         resolution_at_risk_at=now)
    _set(db, merged, status="merged", is_open=False, closed_at=now - 1 * H,
         resolution_due_at=now - 1.5 * H, resolution_at_risk_at=now - 2 * H)
    _set(db, paused, status="waiting_on_requester", sla_paused_at=now - 1 * H,
         resolution_due_at=now + 2 * H, resolution_at_risk_at=now + 1 * H)
    _set(db, paused_over, status="waiting_on_requester", sla_paused_at=now - 1 * H,
         resolution_due_at=now - 3 * H, resolution_at_risk_at=now - 4 * H)
    expected = {
        late: ("breached", -120, "breached by 2 h"),
        on_time: ("met", 180, "met"),
        merged: ("breached", -30, "breached by 30 m"),
        paused: ("paused", 180, "paused, 3 h left"),
        paused_over: ("paused", -120, "paused, overdue by 2 h"),
    }
    browser = sign_in(specialist)
    lists = browser.client.get("/cases").text + browser.client.get(
        "/cases", params={"state": "closed"}).text
    work = browser.client.get("/").text
    for key, (state, minutes, words) in expected.items():
        sla = client.get(f"{API}/cases/{key}", headers=specialist.headers).json()["sla"]
        res = sla["resolution"]
        assert (res["state"], round(res["minutes_left"]), res["running"]) == (
            state, minutes, False), key
        assert _row_label(lists, key) == words, key
        if key != merged:  # My work holds open cases only
            assert _row_label(work, key) == words, key
        view = browser.client.get(f"/cases/{key}")
        assert view.status_code == 200, key
        assert _view_label(view.text) == words, key
    # The list's SLA filter reads finished cases as the clocks do: the merged case that
    # finished after its target is among the breached ones, the paused ones are not.
    breached = browser.client.get("/cases", params={"sla": "breached"}).text
    assert _row_label(breached, merged) == "breached by 30 m"
    assert _row_label(breached, late) == "breached by 2 h"
    assert _row_label(breached, on_time) is None and _row_label(breached, paused_over) is None
