"""GET /api/v1/signals and /signals/{id}: what the signals found, filtered and paged, each
with its evidence, its subjects and its case; for the desk's investigators only."""

from __future__ import annotations

from integrity_desk.db import Database
from tests.signals.test_service import SHOP, _campaign, _load, _run


def test_findings_are_listed_filtered_and_opened_with_their_subjects(client, db: Database,
                                                                     specialist) -> None:
    _load(db, _campaign())
    run = _run(db)
    everything = client.get("/api/v1/signals", params={"business": SHOP},
                            headers=specialist.headers).json()
    assert {s["kind"] for s in everything["items"]} >= {"burst", "duplicates", "ring"}
    assert all(s["business"] == SHOP for s in everything["items"])
    strong = [s for s in everything["items"] if s["strength"] >= 0.6]
    assert strong and all(s["case"] == run.case for s in strong)

    rings = client.get("/api/v1/signals", params={"reviewer": "ring0", "kind": "ring"},
                       headers=specialist.headers).json()["items"]
    assert len(rings) == 1 and "ring0" in rings[0]["evidence"]["reviewers"]
    detail = client.get(f"/api/v1/signals/{rings[0]['id']}", headers=specialist.headers).json()
    assert {"type": "reviewer", "ref": "ring0"} in detail["subjects"]
    assert {"type": "business", "ref": SHOP} in detail["subjects"]

    first = client.get("/api/v1/signals", params={"limit": 2},
                       headers=specialist.headers).json()
    second = client.get("/api/v1/signals", params={"limit": 2, "cursor": first["next_cursor"]},
                        headers=specialist.headers).json()
    ids = [s["id"] for s in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4

    by_case = client.get("/api/v1/signals", params={"case": run.case},
                         headers=specialist.headers).json()["items"]
    assert {s["id"] for s in by_case} == {s["id"] for s in strong}


def test_an_unknown_signal_is_named(client, db: Database, specialist) -> None:
    response = client.get("/api/v1/signals/999", headers=specialist.headers)
    assert response.status_code == 404 and response.json()["error"]["field"] == "signal_id"


def test_the_timeline_says_what_the_signals_found() -> None:
    from integrity_desk.audit.timeline import TimelineEvent
    from integrity_desk.db import utcnow
    from integrity_desk.web.cases.views import event_view

    view = event_view(TimelineEvent(1, "signals.found", "investigation", "signals", utcnow(), {
        "business": SHOP, "opened": True, "findings": [
            {"kind": "burst", "strength": 0.91, "explanation": "30 reviews on 2026-03-02"},
            {"kind": "ring", "strength": 0.7, "explanation": "6 accounts reviewed"}]}))
    assert view.summary == f"found 2 patterns on {SHOP} and opened this case"
    assert view.detail == ("30 reviews on 2026-03-02 (strength 0.91)\n"
                           "6 accounts reviewed (strength 0.7)")
