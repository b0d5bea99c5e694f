"""Messages owed to people outside the desk: receipts at once, decision notices with redress,
appeal outcomes naming the out-of-court route, and counsel's review of legal outcome letters."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from integrity_desk.forms.tokens import read_appeal_token
from integrity_desk.messages.domain import MessageKind, render
from integrity_desk.settings import get_settings
from tests import factories as f
from tests.conftest import Person
from tests.decisions.test_decisions_api import EU, _claimed_flag, _decide, _timeline_kinds

API = "/api/v1"


def _messages(client: TestClient, person: Person, key: str) -> list[dict]:
    r = client.get(f"{API}/cases/{key}/messages", headers=person.headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_templates_fall_back_to_english() -> None:
    context = {"case_key": "APL-1", "name": "N", "contested_key": "FLG-1",
               "outcome": "upheld", "reasoning": "r", "reversed": 0}
    subject, body, lang = render(MessageKind.APPEAL_OUTCOME, "de-AT", context)
    assert lang == "de" and "Beschwerde" in subject and "Artikel 21" in body
    subject, body, lang = render(MessageKind.APPEAL_OUTCOME, "it", context)
    assert lang == "en" and "Article 21" in body
    with pytest.raises(Exception, match="undefined"):
        render(MessageKind.APPEAL_OUTCOME, "en", {"case_key": "APL-1"})


def test_a_legal_notice_is_confirmed_at_once_in_its_language(client: TestClient,
                                                             manager: Person) -> None:
    r = client.post(f"{API}/cases", json=f.legal(language="de"), headers=manager.headers)
    key = r.json()["case"]["key"]
    [receipt] = _messages(client, manager, key)
    assert (receipt["kind"], receipt["status"], receipt["role"], receipt["language"]) == (
        "receipt", "queued", "requester", "de")
    assert key in receipt["subject"] and "Eingang" in receipt["subject"]
    assert receipt["to"] != "jane@lawfirm.example.com" and receipt["to"].startswith("j")
    assert "message.queued" in _timeline_kinds(client, manager, key)
    # A flag from the platform's own report button gets no receipt.
    flag = client.post(f"{API}/cases", json=f.flag("r2"), headers=manager.headers)
    assert _messages(client, manager, flag.json()["case"]["key"]) == []


def test_the_notifier_hears_the_decision_with_the_ways_to_contest_it(
        client: TestClient, specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:r1"}])
    [notice] = [m for m in _messages(client, specialist, key) if m["kind"] != (
        "statement_of_reasons")]
    assert (notice["kind"], notice["status"], notice["role"]) == (
        "decision_notice", "queued", "notifier")
    body = notice["body"]
    for element in ("we took action", "remove the review", "Genuine experience".lower(),
                    "six months", "/appeal?t=", "out-of-court", "courts",
                    "Automated means: none"):
        assert element.lower() in body.lower(), element
    # The link is signed and names the decision, the notifier and when they were told.
    link = read_appeal_token(re.search(r"/appeal\?t=(\S+)", body).group(1),
                             settings=get_settings())
    assert link.role == "notifier" and link.case_id == int(key.split("-")[1])


def test_a_legal_outcome_letter_waits_for_counsel(
        client: TestClient, manager: Person, make_person: Callable[..., Person]) -> None:
    r = client.post(f"{API}/cases", json=f.legal(category="harmful_illegal"),
                    headers=manager.headers)
    key = r.json()["case"]["key"]
    client.post(f"{API}/cases/{key}/claim", headers=manager.headers)
    d = _decide(client, manager, key, [{"action": "remove_review", "subject": "review:r77"}],
                guideline="harmful_illegal")
    assert d.status_code == 201, d.text
    letter = next(m for m in _messages(client, manager, key) if m["kind"] == "decision_notice")
    assert letter["status"] == "held" and "counsel" in letter["held_reason"]
    assert "illegal content under" in letter["body"]
    counsel = make_person("legal")
    url = f"{API}/messages/{letter['id']}/release"
    assert client.post(url, json={"body": "  "}, headers=counsel.headers).status_code == 422
    r = client.post(url, json={"body": "Dear Ms Counsel,\nwe removed the review.\n"},
                    headers=counsel.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["body"]) == (
        "queued", "Dear Ms Counsel,\nwe removed the review.\n")
    assert client.post(url, json={}, headers=counsel.headers).status_code == 409
    assert "message.released" in _timeline_kinds(client, counsel, key)


def test_the_appellant_hears_the_reasoned_outcome(
        client: TestClient, specialist: Person, make_person: Callable[..., Person]) -> None:
    original = _claimed_flag(client, specialist)
    _decide(client, specialist, original, [{"action": "remove_review", "subject": "review:r1"}])
    other = make_person("specialist")
    r = client.post(f"{API}/cases", json=f.appeal(original), headers=other.headers)
    appeal = r.json()["case"]["key"]
    assert [m["kind"] for m in _messages(client, other, appeal)] == ["receipt"]
    client.post(f"{API}/cases/{appeal}/claim", headers=other.headers)
    client.post(f"{API}/cases/{appeal}/appeal-outcome", headers=other.headers, json={
        "outcome": "overturned", "reasoning": "The receipt proves the purchase.",
        "territorial_scope": EU})
    outcome = next(m for m in _messages(client, other, appeal) if m["kind"] == "appeal_outcome")
    assert outcome["status"] == "queued" and outcome["role"] == "appellant"
    for element in ("we reversed our decision", "The receipt proves the purchase",
                    "1 measure lifted", "out-of-court dispute settlement body"):
        assert element in outcome["body"], element
