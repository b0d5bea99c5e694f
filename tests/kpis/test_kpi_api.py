"""The KPIs over HTTP: the same figures as the service, the person breakdown for managers
only, and clear errors for a bad period or dimension."""

from __future__ import annotations

from typing import Any

from tests import factories as f
from tests.helpers import decide_no_action

API = "/api/v1"


def _flag_decided_and_closed(client: Any, person: Any, ref: str) -> str:
    r = client.post(f"{API}/cases", json=f.flag(ref=ref), headers=person.headers)
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=person.headers).status_code == 200
    assert decide_no_action(client, person, key).status_code == 201
    r = client.post(f"{API}/cases/{key}/transition", json={"action": "close"},
                    headers=person.headers)
    assert r.status_code == 200, r.text
    return key


def test_this_weeks_figures_by_kind_and_person(client: Any, manager: Any, specialist: Any
                                                ) -> None:
    _flag_decided_and_closed(client, specialist, "k1")
    client.post(f"{API}/cases", json=f.flag(ref="k2"), headers=specialist.headers)
    r = client.get(f"{API}/kpis", params={"by": "kind"}, headers=manager.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    [flags] = [row for row in body["rows"] if row["key"] == "flag"]
    assert flags["figures"]["inflow"]["value"] == 2
    assert flags["figures"]["outflow"]["value"] == 1
    assert flags["figures"]["backlog"]["value"] == 1
    assert flags["figures"]["overturn_rate"] == {
        "value": None, "numerator": 0, "denominator": 0, "no_data": "no appeal was decided"}
    assert flags["figures"]["qa_accuracy"]["no_data"] == "no decision was QA-reviewed"
    r = client.get(f"{API}/kpis", params={"by": "person"}, headers=manager.headers)
    [me] = [row for row in r.json()["rows"] if row["key"] == str(specialist.user.id)]
    assert me["counts"]["handled"] == 1
    assert me["figures"]["resolution_attainment"]["value"] == 1.0


def test_a_viewer_sees_the_figures_but_no_person(client: Any, make_person: Any) -> None:
    viewer = make_person("viewer")
    assert client.get(f"{API}/kpis", headers=viewer.headers).status_code == 200
    r = client.get(f"{API}/kpis", params={"by": "person"}, headers=viewer.headers)
    assert r.status_code == 403
    assert "managers" in r.json()["error"]["message"]
    agent = make_person("agent")
    assert client.get(f"{API}/kpis", headers=agent.headers).status_code == 403


def test_bad_periods_and_dimensions_name_the_field(client: Any, manager: Any) -> None:
    r = client.get(f"{API}/kpis", params={"period": "2026-W60"}, headers=manager.headers)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "period"
    r = client.get(f"{API}/kpis", params={"by": "colour"}, headers=manager.headers)
    assert (r.status_code, r.json()["error"]["field"]) == (422, "by")
    r = client.get(f"{API}/kpis/trend", params={"grain": "year"}, headers=manager.headers)
    assert (r.status_code, r.json()["error"]["field"]) == (422, "grain")


def test_a_twelve_week_trend_oldest_first(client: Any, manager: Any, specialist: Any) -> None:
    _flag_decided_and_closed(client, specialist, "t1")
    r = client.get(f"{API}/kpis/trend", params={"count": 12}, headers=manager.headers)
    assert r.status_code == 200, r.text
    points = r.json()["points"]
    assert len(points) == 12
    assert [p["starts_on"] for p in points] == sorted(p["starts_on"] for p in points)
    assert points[-1]["figures"]["outflow"]["value"] == 1
    assert points[0]["figures"]["resolution_attainment"]["value"] is None
