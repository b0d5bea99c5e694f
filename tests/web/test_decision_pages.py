"""The decision panel in the console: deciding with four eyes, approving and rejecting, appeals
decided by another person, a legal notice's parts (receipt, held letters, holds), the held
letters page and the trusted-flagger registry — each with its refusals."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select

from integrity_desk.db import Database
from integrity_desk.dsa.models import DsaStatement, TrustedFlagger
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.privacy.models import LegalHold
from integrity_desk.subjects.models import Review
from integrity_desk.web.render import HERE
from tests import factories as f
from tests.conftest import Browser, Person
from tests.decisions.test_decisions_api import _claimed_flag, _decide

API = "/api/v1"
HTMX = {"HX-Request": "true"}


def _post(browser: Browser, url: str, data: dict[str, Any] | None = None,
          htmx: bool = True) -> Any:
    headers = {**HTMX, "X-CSRF-Token": browser.csrf} if htmx else {}
    body = dict(data or {})
    if not htmx:
        body["csrf_token"] = browser.csrf
    return browser.client.post(url, data=body, headers=headers, follow_redirects=False)


def _status(db: Database, ref: str) -> str:
    with db.session() as s:
        return s.scalars(select(Review.status).where(Review.ref == ref)).one()


def _removal(**over: Any) -> dict[str, Any]:
    return {"guideline": "fake", "outcome": "action", "subject.0": "review:r1",
            "action.0": "remove_review", "subject.1": "reviewer:u1", "action.1": "",
            "scope": "EEA", "facts": "The business found no order for this review.",
            "explanation": "The text matches a template used by a review seller.", **over}


def _four_eyes_for_removals(client: TestClient, manager: Person) -> None:
    r = client.put(f"{API}/approval-rules", json={"action": "remove_review",
                                                  "requires_approval": True},
                   headers=manager.headers)
    assert r.status_code == 200, r.text


def test_the_panel_offers_the_guidelines_subjects_and_the_ladder(
        client: TestClient, sign_in: Callable[..., Browser], specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    browser = sign_in(specialist)
    r = browser.client.get(f"/cases/{key}/decision", headers=HTMX)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    html = r.text
    assert html.lstrip().startswith('<div id="decision-panel-content"') and "<html" not in html
    assert "No decision on this case yet." in html
    assert '<select id="guideline" name="guideline"' in html
    assert '<option value="fake" selected>' in html  # the case's category
    for subject in ("review:r1", "reviewer:u1", "business:shop.example.com"):
        assert f'value="{subject}"' in html
    assert "offence 1 under this guideline — warn the reviewer" in html
    assert "suspend the reviewer&#39;s account — four eyes" in html
    # Another guideline: its own ladder (the business one), same subjects.
    other = browser.client.get(f"/cases/{key}/decision?guideline=review_pressure").text
    assert '<option value="review_pressure" selected>' in other
    assert "warn the business" in other
    bad = browser.client.get(f"/cases/{key}/decision?guideline=nope")
    assert bad.status_code == 422 and "Guideline: no guideline 'nope'" in unescape(bad.text)
    page = browser.client.get(f"/cases/{key}/decide").text
    assert '<section id="decision-panel"' in page and f"<h1>{key}:" in page
    assert '<link rel="stylesheet" href="/static/decide.css">' in page


def test_a_removal_needing_four_eyes_waits_for_a_manager_then_issues_its_statement(
        client: TestClient, db: Database, sign_in: Callable[..., Browser], specialist: Person,
        manager: Person) -> None:
    _four_eyes_for_removals(client, manager)
    key = _claimed_flag(client, specialist)
    mine = sign_in(specialist)
    r = _post(mine, f"/cases/{key}/decision", _removal())
    assert r.status_code == 200, r.text
    assert "it waits for a second person's approval" in unescape(r.text)
    assert "awaiting approval" in r.text and "not you: you decided it" in r.text
    assert "Approve</button>" not in r.text
    assert _status(db, "r1") == "published"
    decision_id = int(re.search(r'id="decision-(\d+)"', r.text).group(1))

    # Four eyes: the decider cannot approve their own decision.
    own = _post(mine, f"/cases/{key}/decision/{decision_id}/approve")
    assert own.status_code == 403 and "someone other than the decider" in own.text
    assert _status(db, "r1") == "published"

    boss = sign_in(manager)
    panel = boss.client.get(f"/cases/{key}/decision").text
    assert "Approve</button>" in panel and "Reject</button>" in panel
    r = _post(boss, f"/cases/{key}/decision/{decision_id}/approve", {"note": "Agreed."})
    assert r.status_code == 200, r.text
    html = r.text
    assert f"Decision {decision_id} approved and applied." in html
    assert "approved by Manager Person" in html and "Agreed." in html
    assert "status: published → removed" in html
    assert _status(db, "r1") == "removed"
    with db.session() as s:
        puid = s.scalars(select(DsaStatement.puid)
                         .where(DsaStatement.decision_id == decision_id)).one()
    assert f"<code>{puid}</code>" in html and "Statement of reasons" in html
    assert "Art. 17 message on <code>review:r1</code>" in html
    assert "Decide</h3>" not in html  # the case is decided now
    assert "The case is decided." in html


def test_a_plain_form_decision_returns_to_the_panel_page(
        client: TestClient, db: Database, sign_in: Callable[..., Browser],
        specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    browser = sign_in(specialist)
    r = _post(browser, f"/cases/{key}/decision", _removal(), htmx=False)
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{key}#decision-panel"
    assert _status(db, "r1") == "removed"
    missing = browser.client.post(f"/cases/{key}/decision", data=_removal(),
                                  follow_redirects=False)
    assert missing.status_code == 403 and "security token" in missing.text


def test_a_rejection_needs_a_note_and_changes_nothing(
        client: TestClient, db: Database, sign_in: Callable[..., Browser], specialist: Person,
        manager: Person) -> None:
    _four_eyes_for_removals(client, manager)
    key = _claimed_flag(client, specialist)
    d = _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:r1"}])
    decision_id = d.json()["id"]
    boss = sign_in(manager)
    r = _post(boss, f"/cases/{key}/decision/{decision_id}/reject")
    assert r.status_code == 422 and r.text.startswith("Note: ")
    r = _post(boss, f"/cases/{key}/decision/{decision_id}/reject", {"note": "Not proven."})
    assert r.status_code == 200 and "rejected by Manager Person" in r.text
    assert _status(db, "r1") == "published"
    # The case is in progress again: a new decision can be made.
    assert 'id="decision-form"' in r.text
    wrong_case = _claimed_flag(client, specialist, ref="r2", reviewer="u2")
    r = _post(boss, f"/cases/{wrong_case}/decision/{decision_id}/approve")
    assert r.status_code == 404


def test_bad_input_is_refused_naming_the_field(
        client: TestClient, db: Database, sign_in: Callable[..., Browser],
        specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    browser = sign_in(specialist)
    cases = [
        ({"action.1": "suspend_reviewer"},
         "Duration (days) of the action on reviewer:u1: suspend_reviewer needs a duration"),
        ({"scope": "countries", "countries": "DE, XX"}, "Territorial scope: name EU/EEA"),
        ({"facts": "  "}, "Facts: this field is required."),
        ({"guideline": "nope"}, "Guideline: no guideline 'nope'"),
        ({"ground": "illegal_content"}, "Legal ground: illegal content needs the legal ground"),
        ({"action.0": "", "action.1": ""}, "Actions: name at least one action"),
        ({"subject.0": "review:elsewhere"}, "Subject: review:elsewhere is not a subject"),
        ({"duration_days.1": "ten", "action.1": "suspend_reviewer"},
         "Duration (days) of the action on reviewer:u1: a whole number"),
        ({"action.0": "obliterate"}, "Action on review:r1: no action 'obliterate'"),
    ]
    for over, message in cases:
        r = _post(browser, f"/cases/{key}/decision", _removal(**over))
        assert r.status_code in (404, 422), (over, r.status_code, r.text)
        assert message in unescape(r.text), (over, r.text)
        assert r.headers["content-type"].startswith("text/plain")  # shown in #flash
    page = _post(browser, f"/cases/{key}/decision", _removal(facts=""), htmx=False)
    assert page.status_code == 422 and "Check the form" in page.text
    assert _status(db, "r1") == "published"
    assert client.get(f"{API}/cases/{key}/decisions", headers=specialist.headers).json() == []


def test_a_case_must_be_taken_on_and_roles_are_refused(
        client: TestClient, sign_in: Callable[..., Browser], specialist: Person,
        make_person: Callable[..., Person], make_team: Callable[..., Any]) -> None:
    r = client.post(f"{API}/cases", json=f.flag("r9"), headers=specialist.headers)
    key = r.json()["case"]["key"]
    browser = sign_in(specialist)
    panel = browser.client.get(f"/cases/{key}/decision").text
    assert "Claim it or have it assigned to you to decide it." in panel
    assert 'id="decision-form"' not in panel
    r = _post(browser, f"/cases/{key}/decision", _removal(**{"subject.0": "review:r9"}))
    assert r.status_code == 409 and "Case status: " in r.text

    policy = sign_in(make_person("policy"))
    assert policy.client.get(f"/cases/{key}/decision").status_code == 200
    refused = _post(policy, f"/cases/{key}/decision", _removal())
    assert refused.status_code == 403 and "case.work" in refused.text
    assert _post(policy, f"/cases/{key}/decision/1/approve").status_code == 403
    # A vendor agent sees only their team's queues: another case is not found, not forbidden.
    agent = sign_in(make_person("agent", team=make_team("Vendor B", kind="vendor")))
    assert agent.client.get(f"/cases/{key}/decision").status_code == 404
    assert agent.client.get(f"/cases/{key}/decide").status_code == 404


def _appeal(client: TestClient, person: Person, contested: str) -> str:
    r = client.post(f"{API}/cases", json=f.appeal(contested), headers=person.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=person.headers).status_code == 200
    return key


def test_an_appeal_is_decided_by_someone_else(
        client: TestClient, db: Database, sign_in: Callable[..., Browser], specialist: Person,
        make_person: Callable[..., Person]) -> None:
    original = _claimed_flag(client, specialist)
    _decide(client, specialist, original, [{"action": "remove_review", "subject": "review:r1"}])
    colleague = make_person("specialist")
    appeal = _appeal(client, colleague, original)

    decider = sign_in(specialist)
    panel = decider.client.get(f"/cases/{appeal}/decision").text
    assert f"Appeal against {original}" in panel
    assert "My review is genuine; I have the receipt." in panel  # the appellant's grounds
    assert "remove the review" in panel and "status: published → removed" in panel
    assert "You decided (or approved) the contested decision" in panel
    assert 'id="appeal-form"' not in panel
    refused = _post(decider, f"/cases/{appeal}/appeal-outcome",
                    {"outcome": "overturned", "reasoning": "I changed my mind."})
    assert refused.status_code == 403 and "someone other than the original decider" in (
        refused.text)
    assert _status(db, "r1") == "removed"

    other = sign_in(colleague)
    panel = other.client.get(f"/cases/{appeal}/decision").text
    assert 'id="appeal-form"' in panel and "Specialist Person" in panel
    bad = _post(other, f"/cases/{appeal}/appeal-outcome", {"outcome": "overturned"})
    assert bad.status_code == 422 and bad.text.startswith("Reasoning: ")
    r = _post(other, f"/cases/{appeal}/appeal-outcome",
              {"outcome": "overturned", "reasoning": "The receipt shows a genuine purchase."})
    assert r.status_code == 200, r.text
    assert "Appeal decided: overturned." in r.text
    assert "Appeal outcome" in r.text and "reversed" in r.text
    assert 'id="appeal-form"' not in r.text
    assert _status(db, "r1") == "published"


def _legal_case(client: TestClient, manager: Person) -> tuple[str, int]:
    r = client.post(f"{API}/cases", json=f.legal(category="harmful_illegal"),
                    headers=manager.headers)
    key = r.json()["case"]["key"]
    client.post(f"{API}/cases/{key}/claim", headers=manager.headers)
    d = _decide(client, manager, key, [{"action": "remove_review", "subject": "review:r77"}],
                guideline="harmful_illegal")
    assert d.status_code == 201, d.text
    letter = next(m for m in client.get(f"{API}/cases/{key}/messages",
                                        headers=manager.headers).json()
                  if m["kind"] == "decision_notice")
    return key, letter["id"]


def test_a_legal_notice_shows_its_parts_and_counsel_releases_the_letter(
        client: TestClient, db: Database, sign_in: Callable[..., Browser], manager: Person,
        specialist: Person, make_person: Callable[..., Person]) -> None:
    key, letter_id = _legal_case(client, manager)
    counsel = sign_in(make_person("legal"))
    panel = counsel.client.get(f"/cases/{key}/decision").text
    for part in ("Legal notice", "§ 186 StGB (üble Nachrede)", "Counsel &amp; Co",
                 "https://reviews.example.com/reviews/r77", "defamation", "Receipt to",
                 f"Release letter {letter_id}", "counsel reviews a legal notice"):
        assert part in panel, part
    assert "jane@lawfirm.example.com" not in panel and "j***@l***.com" in panel
    held = counsel.client.get("/messages/held").text
    assert f'id="letter-{letter_id}"' in held and key in held

    url = f"/messages/{letter_id}/release"
    empty = _post(counsel, url, {"edited": "1", "body": "  "})
    assert empty.status_code == 422 and empty.text.startswith("Letter text: ")
    assert _post(sign_in(specialist), url).status_code == 403
    r = _post(counsel, url, {"next": f"/cases/{key}/decide"})
    assert r.status_code == 200 and f"Letter {letter_id} released" in r.text
    assert f"Release letter {letter_id}" not in r.text
    with db.session() as s:
        assert s.get(OutboxMessage, letter_id).status == "queued"
    again = _post(counsel, url)
    assert again.status_code == 409 and "not held for review" in again.text
    assert f'id="letter-{letter_id}"' not in counsel.client.get("/messages/held").text
    plain = _post(counsel, "/messages/999999/release", htmx=False)
    assert plain.status_code == 404


def test_a_corrected_letter_goes_out_as_corrected(
        client: TestClient, db: Database, sign_in: Callable[..., Browser],
        manager: Person) -> None:
    _key, letter_id = _legal_case(client, manager)
    boss = sign_in(manager)
    r = _post(boss, f"/messages/{letter_id}/release",
              {"edited": "1", "body": "Dear Ms Counsel,\nwe removed the review.",
               "next": "https://evil.example.com/"}, htmx=False)
    assert r.status_code == 303 and r.headers["location"] == "/messages/held"
    with db.session() as s:
        assert s.get(OutboxMessage, letter_id).body == "Dear Ms Counsel,\nwe removed the review.\n"


def test_legal_holds_are_placed_and_lifted_from_the_panel(
        client: TestClient, db: Database, sign_in: Callable[..., Browser], manager: Person,
        specialist: Person, make_person: Callable[..., Person]) -> None:
    key, _ = _legal_case(client, manager)
    counsel = sign_in(make_person("legal"))
    assert "No legal hold covers this case" in counsel.client.get(f"/cases/{key}/decision").text
    short = _post(counsel, f"/cases/{key}/legal-holds", {"reason": "ab"})
    assert short.status_code == 422 and short.text.startswith("Reason: ")
    r = _post(counsel, f"/cases/{key}/legal-holds", {"reason": "Litigation pending in Berlin"})
    assert r.status_code == 200 and "Litigation pending in Berlin" in r.text
    with db.session() as s:
        hold = s.scalars(select(LegalHold)).one()
    assert f"Lift hold {hold.id}" in r.text
    assert _post(sign_in(specialist), f"/cases/{key}/legal-holds",
                 {"reason": "Because"}).status_code == 403
    r = _post(counsel, f"/cases/{key}/legal-holds/{hold.id}/lift", {"reason": "Settled"})
    assert r.status_code == 200 and f"Legal hold {hold.id} lifted." in r.text
    with db.session() as s:
        assert s.get(LegalHold, hold.id).lifted_at is not None
    again = _post(counsel, f"/cases/{key}/legal-holds/{hold.id}/lift", {"reason": "Settled"})
    assert again.status_code == 409 and "lifted already" in again.text


def test_the_trusted_flagger_registry(
        db: Database, sign_in: Callable[..., Browser], manager: Person,
        specialist: Person) -> None:
    boss = sign_in(manager)
    page = boss.client.get("/flaggers")
    assert page.status_code == 200 and "No trusted flagger is registered yet." in page.text
    form = {"name": "Consumer Watch Europe", "country": "de", "coordinator": "BNetzA",
            "areas": ["fake", "incentivised"], "contact": "team@cwe.example.org"}
    bad = _post(boss, "/flaggers", {**form, "country": "Germany"}, htmx=False)
    assert bad.status_code == 422 and "Country: " in bad.text
    bad = _post(boss, "/flaggers", {**form, "areas": ["astrology"]}, htmx=False)
    assert bad.status_code == 422 and "Areas of expertise: " in bad.text
    r = _post(boss, "/flaggers", form, htmx=False)
    assert r.status_code == 303 and r.headers["location"] == "/flaggers"
    again = _post(boss, "/flaggers", form, htmx=False)
    assert again.status_code == 409 and "Name: " in again.text
    with db.session() as s:
        flagger = s.scalars(select(TrustedFlagger)).one()
    html = boss.client.get("/flaggers").text
    assert "<th scope=\"row\">Consumer Watch Europe</th>" in html and "fake, incentivised" in html
    assert "<th scope=\"col\">Precision</th>" in html
    change = {"status": "inactive", "coordinator": "BNetzA", "areas": ["fake"]}
    no_reason = _post(boss, f"/flaggers/{flagger.id}", change, htmx=False)
    assert no_reason.status_code == 422 and "Reason: " in no_reason.text
    r = _post(boss, f"/flaggers/{flagger.id}", {**change, "reason": "Coordinator suspended it"},
              htmx=False)
    assert r.status_code == 303
    with db.session() as s:
        changed = s.get(TrustedFlagger, flagger.id)
        assert (changed.active, changed.areas) == (False, ["fake"])
    assert _post(boss, "/flaggers/999999", {**change, "reason": "x"},
                 htmx=False).status_code == 404
    assert sign_in(specialist).client.get("/flaggers").status_code == 403


def test_the_nav_links_the_pages_only_for_roles_that_may_open_them(
        sign_in: Callable[..., Browser], specialist: Person,
        make_person: Callable[..., Person]) -> None:
    legal = sign_in(make_person("legal")).client.get("/").text
    assert 'href="/messages/held"' in legal and 'href="/flaggers"' in legal
    plain = sign_in(specialist).client.get("/").text
    assert 'href="/messages/held"' not in plain and 'href="/flaggers"' not in plain


def test_decision_templates_have_no_inline_script_or_style() -> None:
    paths = list((HERE / "templates" / "decision").glob("*.html"))
    assert len(paths) >= 9
    for path in paths:
        html = path.read_text()
        assert "<script" not in html, path.name
        assert not re.search(r"\son[a-z]+\s*=", html), path.name
        assert "style=" not in html and "<style" not in html, path.name
        assert "hx-on" not in html, path.name
        assert not re.search(r'(?:src|href)="(https?:)?//', html), path.name


def _panel_statements(db: Database, browser: Browser, key: str) -> list[str]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert browser.client.get(f"/cases/{key}/decision").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statements


def test_the_panel_reads_a_fixed_number_of_statements_whatever_the_decisions(
        client: TestClient, db: Database, sign_in: Callable[..., Browser], specialist: Person,
        manager: Person) -> None:
    _four_eyes_for_removals(client, manager)
    keys = []
    for ref, rejected in (("r1", 1), ("r2", 4)):
        key = _claimed_flag(client, specialist, ref=ref, reviewer=f"u{ref}")
        action = [{"action": "remove_review", "subject": f"review:{ref}"}]
        for _ in range(rejected):
            d = _decide(client, specialist, key, action).json()
            r = client.post(f"{API}/decisions/{d['id']}/reject", json={"note": "Not yet."},
                            headers=manager.headers)
            assert r.status_code == 200, r.text
        d = _decide(client, specialist, key, action).json()
        assert client.post(f"{API}/decisions/{d['id']}/approve", json={},
                           headers=manager.headers).status_code == 200
        keys.append(key)
    boss = sign_in(manager)
    few, many_ = (_panel_statements(db, boss, k) for k in keys)
    assert len(few) == len(many_), "\n\n".join(many_)
    assert len(many_) <= 12, "\n\n".join(many_)
