"""Precedents (issue 24): the decided cases most like an open one, by text and by pattern,
with their outcome and appeal; only those the viewer may read; the case view's panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.decisions.models import Decision
from integrity_desk.precedents import domain
from integrity_desk.precedents.models import Precedent, PrecedentKey
from tests import factories as f
from tests.conftest import Browser, Person
from tests.decisions.test_decisions_api import EU
from tests.helpers import decide_no_action

API = "/api/v1"
HTMX = {"HX-Request": "true"}
PIZZA = "The pizza arrived cold and the delivery driver was rude to my mother"
CRYPTO = "Crypto investment scheme promised to double my bitcoin within a week"


def _flag(client: TestClient, person: Person, ref: str, text: str, *, shop: str,
          reviewer: str, claim: bool = True) -> str:
    body = f.flag(ref)
    body["review"].update(text=text, business_domain=shop, reviewer_ref=reviewer)
    r = client.post(f"{API}/cases", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    if claim:
        assert client.post(f"{API}/cases/{key}/claim", headers=person.headers).status_code == 200
    return key


def _remove(client: TestClient, person: Person, key: str, ref: str) -> dict[str, Any]:
    r = client.post(f"{API}/cases/{key}/decisions", headers=person.headers, json={
        "outcome": "action", "guideline": "fake", "explanation": "A known template.",
        "facts": "No order found.", "territorial_scope": EU,
        "actions": [{"action": "remove_review", "subject": f"review:{ref}"}]})
    assert r.status_code == 201, r.text
    return r.json()


def _precedents(client: TestClient, person: Person, key: str) -> list[dict[str, Any]]:
    r = client.get(f"{API}/cases/{key}/precedents", headers=person.headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _history(client: TestClient, person: Person) -> dict[str, str]:
    """A removed crypto review and a pizza complaint left up, on other shops and accounts."""
    crypto = _flag(client, person, "r1", CRYPTO, shop="coins.example.com", reviewer="u1")
    _remove(client, person, crypto, "r1")
    pizza = _flag(client, person, "r2", PIZZA, shop="pizza.example.com", reviewer="u2")
    assert decide_no_action(client, person, pizza).status_code == 201
    return {"crypto": crypto, "pizza": pizza}


def test_the_hook_writes_the_row_and_keys_with_the_decision(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _flag(client, specialist, "r1", CRYPTO, shop="coins.example.com", reviewer="u1")
    with db.session() as s:
        assert s.scalar(select(Precedent.case_id)) is None  # open: no precedent yet
    decision = _remove(client, specialist, key, "r1")
    with db.session() as s:
        row = s.scalars(select(Precedent)).one()
        decided = s.get(Decision, decision["id"])
        assert decided is not None
        assert (row.decision_id, row.outcome, row.guideline_code, row.category, row.appeal) == (
            decision["id"], "action", "fake", "fake", "none")
        assert row.decided_at == decided.decided_at
        keys = set(s.scalars(select(PrecedentKey.key).where(
            PrecedentKey.case_id == row.case_id)))
    assert {"t:crypto", "t:bitcoin", "c:fake"} <= keys
    assert any(k.startswith("b:") for k in keys) and any(k.startswith("r:") for k in keys)


def test_ranked_by_text(client: TestClient, specialist: Person) -> None:
    past = _history(client, specialist)
    key = _flag(client, specialist, "r3", "Bitcoin investment scheme: they never paid back",
                shop="other.example.com", reviewer="u3", claim=False)
    items = _precedents(client, specialist, key)
    assert [i["key"] for i in items][:2] == [past["crypto"], past["pizza"]]
    top = items[0]
    assert (top["outcome"], top["guideline"], top["appeal"]) == ("action", "fake", "none")
    assert {"bitcoin", "investment", "scheme"} <= set(top["shared_terms"])
    assert top["text_similarity"] > items[1]["text_similarity"]
    key2 = _flag(client, specialist, "r4", "Cold pizza and a rude driver",
                 shop="elsewhere.example.com", reviewer="u4", claim=False)
    assert _precedents(client, specialist, key2)[0]["key"] == past["pizza"]


def test_ranked_by_pattern(client: TestClient, specialist: Person) -> None:
    past = _history(client, specialist)
    # Nothing in common by text with either, but the pizza complaint's account and shop.
    key = _flag(client, specialist, "r5", "Five stars, lovely staff",
                shop="pizza.example.com", reviewer="u2", claim=False)
    top = _precedents(client, specialist, key)[0]
    assert top["key"] == past["pizza"]
    assert {"same business", "same reviewer"} <= set(top["why"])


def test_an_overturn_on_appeal_is_shown(client: TestClient, specialist: Person,
                                        make_person: Callable[..., Person]) -> None:
    past = _history(client, specialist)
    colleague = make_person("specialist")
    r = client.post(f"{API}/cases", json=f.appeal(past["crypto"]), headers=colleague.headers)
    assert r.status_code == 201, r.text
    appeal = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{appeal}/claim",
                       headers=colleague.headers).status_code == 200
    r = client.post(f"{API}/cases/{appeal}/appeal-outcome", headers=colleague.headers,
                    json={"outcome": "overturned", "reasoning": "The receipt is genuine."})
    assert r.status_code == 201, r.text
    key = _flag(client, specialist, "r3", "bitcoin scheme", shop="x.example.com",
                reviewer="u3", claim=False)
    by_key = {i["key"]: i for i in _precedents(client, specialist, key)}
    assert by_key[past["crypto"]]["appeal"] == "overturned"
    assert by_key[past["pizza"]]["appeal"] == "none"
    assert appeal not in by_key  # an appeal outcome is no precedent of its own


def test_only_cases_the_viewer_may_read(client: TestClient, db: Database, specialist: Person,
                                        manager: Person) -> None:
    past = _history(client, specialist)
    with db.session() as s:
        s.execute(update(Case).where(Case.id == int(past["crypto"].split("-")[1]))
                  .values(legal_restricted=True))
    key = _flag(client, specialist, "r3", "bitcoin scheme", shop="x.example.com",
                reviewer="u3", claim=False)
    seen = [i["key"] for i in _precedents(client, specialist, key)]
    assert past["crypto"] not in seen and past["pizza"] in seen
    assert past["crypto"] in [i["key"] for i in _precedents(client, manager, key)]
    # A case the viewer may not read has no precedents to show them: 404, as for no case.
    r = client.get(f"{API}/cases/{past['crypto']}/precedents", headers=specialist.headers)
    assert r.status_code == 404


def test_the_case_view_panel(client: TestClient, specialist: Person,
                             sign_in: Callable[..., Browser]) -> None:
    past = _history(client, specialist)
    key = _flag(client, specialist, "r3", "bitcoin investment scheme", shop="x.example.com",
                reviewer="u3", claim=False)
    browser = sign_in(specialist)
    page = browser.client.get(f"/cases/{key}")
    assert page.status_code == 200
    assert f'hx-get="/cases/{key}/precedents"' in page.text
    assert f'<a href="/cases/{key}/precedents">' in page.text  # without JavaScript
    fragment = browser.client.get(f"/cases/{key}/precedents", headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="precedents-content"' in fragment.text
    assert fragment.text.index(past["crypto"]) < fragment.text.index(past["pizza"])
    assert "bitcoin" in fragment.text and "action" in fragment.text
    whole = browser.client.get(f"/cases/{key}/precedents")
    assert whole.status_code == 200 and "<html" in whole.text
    assert browser.client.get("/cases/FLG-999999/precedents", headers=HTMX).status_code == 404


def test_terms_drop_stop_words_contacts_and_handles() -> None:
    assert domain.terms("RT @someone: The pizza, THE pizza! mail me at a.b@example.com",
                        "call +44 20 7946 0958 about Pizza") == ["pizza", "mail", "call"]
    assert len(domain.terms(" ".join(f"word{i}x" for i in range(100)))) == domain.MAX_TERMS


def test_rebuild_writes_what_the_hook_wrote(client: TestClient, db: Database,
                                            specialist: Person,
                                            make_person: Callable[..., Person]) -> None:
    from sqlalchemy import delete

    from integrity_desk.precedents import service

    past = _history(client, specialist)
    colleague = make_person("specialist")
    r = client.post(f"{API}/cases", json=f.appeal(past["pizza"]), headers=colleague.headers)
    appeal = r.json()["case"]["key"]
    client.post(f"{API}/cases/{appeal}/claim", headers=colleague.headers)
    assert client.post(f"{API}/cases/{appeal}/appeal-outcome", headers=colleague.headers, json={
        "outcome": "upheld", "reasoning": "Nothing new."}).status_code == 201

    def state() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        with db.session() as s:
            rows = [(p.case_id, p.decision_id, p.outcome, p.guideline_code, p.appeal, p.terms)
                    for p in s.scalars(select(Precedent).order_by(Precedent.case_id))]
            keys = s.execute(select(PrecedentKey.key, PrecedentKey.case_id)
                             .order_by(PrecedentKey.case_id, PrecedentKey.key)).all()
        return rows, [tuple(k) for k in keys]

    written = state()
    assert [r[4] for r in written[0]] == ["none", "upheld"]
    with db.session() as s:
        s.execute(delete(PrecedentKey))
        s.execute(delete(Precedent))
    with db.session() as s:
        assert service.rebuild(s, batch=1)[1] == 1
    with db.session() as s:
        after, count = service.rebuild(s, after=int(past["crypto"].split("-")[1]), batch=10)
        assert count == 1 and service.rebuild(s, after=after)[1] == 0
    assert state() == written
