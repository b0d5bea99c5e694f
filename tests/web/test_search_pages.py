"""GET /search: results with highlighted, escaped and masked snippets; a case key jumps to the
case; an empty or too long query is a 422 naming q; vendor isolation holds; the API agrees."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests import factories as f
from tests.conftest import Browser, Person

API = "/api/v1"


def _open(client: Any, person: Person, body: dict[str, Any]) -> str:
    r = client.post(f"{API}/cases", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["case"]["key"]


@pytest.fixture
def cases(client: Any, manager: Person) -> dict[str, str]:
    inv = _open(client, manager, f.investigation(
        title="Hotel <b>Aurora</b> review ring",
        description="Reviews for the hotel from fresh accounts; call +45 12 34 56 78 "
                    "or mail ring@mail.example.com about the hotel.",
        reviews=[{"ref": "r-aurora-1"}]))
    flag = _open(client, manager, f.flag("r-bakery-9", title="Bakery refund complaint"))
    return {"inv": inv, "flag": flag}


def test_results_list_keys_titles_and_marked_snippets(sign_in: Callable[..., Browser],
                                                      manager: Person,
                                                      cases: dict[str, str]) -> None:
    page = sign_in(manager).client.get("/search", params={"q": "hotel"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert 'value="hotel"' in html  # the header box keeps the query
    assert f'<a data-row-link href="/cases/{cases["inv"]}">' in html and "data-row>" in html
    assert "<mark>Hotel</mark> &lt;b&gt;Aurora&lt;/b&gt;" in html  # escaped, then marked
    assert "<b>Aurora</b>" not in html
    assert "<mark>hotel</mark>" in html and "matched title or description" in html
    assert "12 34 56 78" not in html and "ring@mail" not in html  # masked in snippets
    assert "investigation" in html and "P" in html and 'href="/static/search.css"' in html
    assert cases["flag"] not in html
    assert "style=" not in html and "<script>" not in html


def test_structured_hits_say_what_matched(sign_in: Callable[..., Browser], manager: Person,
                                          cases: dict[str, str]) -> None:
    browser = sign_in(manager)
    html = browser.client.get("/search", params={"q": "r-bakery-9"}).text
    assert cases["flag"] in html and "matched review r-bakery-9" in html
    html = browser.client.get(
        "/search", params={"q": "https://reviews.example.com/reviews/r-aurora-1"}).text
    assert cases["inv"] in html and "Read as review r-aurora-1" in html


def test_a_case_key_goes_straight_to_the_case(sign_in: Callable[..., Browser], manager: Person,
                                              cases: dict[str, str]) -> None:
    browser = sign_in(manager)
    r = browser.client.get("/search", params={"q": f" {cases['flag'].lower()} "},
                           follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{cases['flag']}"
    missing = browser.client.get("/search", params={"q": "FLG-999999"})
    assert missing.status_code == 200 and "No case you may see matches" in missing.text


@pytest.mark.parametrize("q", [None, "", "   ", "x" * 201, "someone@example.com"])
def test_bad_queries_are_a_422_naming_q(sign_in: Callable[..., Browser], manager: Person,
                                        q: str | None) -> None:
    params = {} if q is None else {"q": q}
    r = sign_in(manager).client.get("/search", params=params)
    assert r.status_code == 422 and "The search (q) cannot be run" in r.text
    api = sign_in(manager).client.get(f"{API}/search", params=params)
    assert api.status_code == 422 and api.json()["error"]["field"] == "q"


def test_bad_page_numbers_are_a_422_naming_page(sign_in: Callable[..., Browser],
                                                manager: Person) -> None:
    browser = sign_in(manager)
    for number in ("x", "0", "21"):
        r = browser.client.get("/search", params={"q": "hotel", "page": number})
        assert r.status_code == 422 and "(page)" in r.text, number


def test_paging_links(client: Any, sign_in: Callable[..., Browser], manager: Person) -> None:
    for i in range(26):
        _open(client, manager, f.investigation(title=f"walrus {i}", reviews=[{"ref": f"w{i}"}]))
    browser = sign_in(manager)
    first = browser.client.get("/search", params={"q": "walrus"}).text
    assert first.count("data-row>") == 25 and 'href="/search?q=walrus&amp;page=2"' in first
    second = browser.client.get("/search", params={"q": "walrus", "page": "2"}).text
    assert second.count("data-row>") == 1 and 'rel="prev"' in second
    assert 'rel="next"' not in second


def test_a_vendor_agent_finds_nothing_of_another_vendor(
        client: Any, sign_in: Callable[..., Browser], manager: Person,
        make_team: Callable[..., Any], make_person: Callable[..., Person],
        cases: dict[str, str]) -> None:
    team = make_team("Vendor A", kind="vendor")
    agent = make_person("agent", team=team)
    browser = sign_in(agent)
    html = browser.client.get("/search", params={"q": "hotel"}).text
    assert "No case you may see matches" in html and cases["inv"] not in html
    r = browser.client.get("/search", params={"q": cases["flag"]}, follow_redirects=False)
    assert r.status_code == 200 and "No case you may see matches" in r.text
    assert client.get(f"{API}/search", params={"q": "hotel"},
                      headers=agent.headers).json()["items"] == []


def test_the_api_answers_the_same(client: Any, manager: Person, cases: dict[str, str]) -> None:
    r = client.get(f"{API}/search", params={"q": "hotel"}, headers=manager.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    item = body["items"][0]
    assert item["key"] == cases["inv"] and item["matched"] == "text"
    assert item["highlights"] == ["hotel"] and "12 34 56 78" not in item["snippet"]
    assert body["page"] == 1 and body["has_more"] is False
    hit = client.get(f"{API}/search", params={"q": cases["flag"]},
                     headers=manager.headers).json()
    assert [i["key"] for i in hit["items"]] == [cases["flag"]]
    assert re.match(r"case FLG-\d+", hit["recognised"][0])
