"""The case view: what it shows (masked), each action through the page (htmx and plain form),
refusals that say why, the audited reveal, vendor isolation by URL, subject history and the
timeline filters."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.people.models import User
from tests import factories as f
from tests.conftest import Browser, Person
from tests.helpers import decide_no_action

API = "/api/v1"
HTMX = {"HX-Request": "true"}


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture
def desk(client: Any, make_team: Callable[..., Any], make_person: Callable[..., Person],
         manager: Person) -> dict[str, Any]:
    """Vendor A works English flags, vendor B German ones. Case "a" (vendor A) is about review
    ra-1 by reviewer u1 of shop.example.com; an investigation about the same reviewer and
    business was decided earlier; case "b" sits in vendor B's queue."""
    teams = {}
    for slug, team, language in (("flags-a", "Vendor A", "en"), ("flags-b", "Vendor B", "de")):
        teams[team] = make_team(team, kind="vendor")
        _ok(client.post(f"{API}/queues", headers=manager.headers, json={
            "slug": slug, "name": f"Flags {team}", "team": team, "kinds": ["flag"], "tier": 1,
            "languages": [language], "position": 1}), 201)
    earlier = _ok(client.post(f"{API}/cases", headers=manager.headers, json=f.investigation(
        reviews=[{"ref": "old-1", "text": "Earlier review by the same person", "rating": 1,
                  "business_domain": "shop.example.com", "reviewer_ref": "u1"}],
        reviewer_refs=["u1"])), 201)["case"]["key"]
    _ok(client.post(f"{API}/cases/{earlier}/assign", headers=manager.headers,
                    json={"assignee": manager.user.email}))
    _ok(client.post(f"{API}/cases/{earlier}/transition", headers=manager.headers,
                    json={"action": "start"}))
    _ok(decide_no_action(client, manager, earlier), 201)
    body = f.flag("ra-1", reason="Never a customer, call +45 12 34 56 78")
    body["review"]["text"] = "Best shop ever, write me at fan@mail.example.com"
    a = _ok(client.post(f"{API}/cases", json=body, headers=manager.headers), 201)["case"]["key"]
    body_b = f.flag("rb-1", language="de")
    body_b["review"]["language"] = "de"
    b = _ok(client.post(f"{API}/cases", json=body_b, headers=manager.headers),
            201)["case"]["key"]
    return {"a": a, "b": b, "earlier": earlier, "teams": teams,
            "agent_a": make_person("agent", team=teams["Vendor A"], languages=["en"]),
            "agent_b": make_person("agent", team=teams["Vendor B"], languages=["de"])}


def _post(browser: Browser, key: str, action: str, htmx: bool = True, **data: str) -> Any:
    headers = {**HTMX, "X-CSRF-Token": browser.csrf} if htmx else None
    return browser.client.post(f"/cases/{key}/{action}", data={"csrf_token": browser.csrf,
                                                               **data},
                               headers=headers, follow_redirects=False)


def _refusal(r: Any) -> str:
    """The reason an htmx action was refused, as desk.js shows it in #flash."""
    return unquote(r.headers["x-desk-refused"])


def test_a_refused_claim_names_who_holds_it_and_shows_the_case_as_it_is_now(
        sign_in: Callable[..., Browser], desk: dict[str, Any],
        make_person: Callable[..., Person], db: Database) -> None:
    """Two agents had the case open; the second to press Claim learns who was first, and the
    header, actions and timeline they get back show that person holding it (issue 19.3)."""
    first = make_person("agent", team=desk["teams"]["Vendor A"], languages=["en"])
    with db.session() as s:
        s.get(User, first.user.id).name = "Ada Quick"
        s.commit()
    late = sign_in(desk["agent_a"])
    assert _post(sign_in(first), desk["a"], "claim").status_code == 200
    r = _post(late, desk["a"], "claim")
    assert r.status_code == 409, r.text
    assert "Ada Quick" in _refusal(r)
    assert r.headers["content-type"].startswith("text/html")
    header = r.text.split("</section>")[0]
    assert "Ada Quick" in header and "assigned" in header
    assert 'id="case-actions"' in r.text and 'hx-swap-oob="true"' in r.text
    assert 'data-key="c"' not in r.text  # no Claim button any more
    assert "claimed the case" in r.text  # the timeline shows the first claim


def _status(db: Database, key: str) -> str:
    with db.session() as s:
        return s.scalar(select(Case.status).where(Case.id == int(key.split("-")[1])))


def _events(db: Database, key: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent).where(
            AuditEvent.case_id == int(key.split("-")[1])).order_by(AuditEvent.id)))


def test_the_case_view_shows_header_why_clocks_requester_masked_and_subjects(
        sign_in: Callable[..., Browser], desk: dict[str, Any]) -> None:
    page = sign_in(desk["agent_a"]).client.get(f"/cases/{desk['a']}")
    assert page.status_code == 200, page.text
    html = page.text
    assert f'<span class="case-key">{desk["a"]}</span>' in html
    assert "Flags Vendor A" in html and "triage score" in html
    assert re.search(r"<time data-countdown datetime=\"[0-9T:.\-]+Z\"", html)
    assert 'src="/static/clock.js"' in html and 'href="/static/case.css"' in html
    # Masked as the API masks: the reporter's e-mail and the phone number in the text.
    assert "owner@shop.example.com" not in html and "o***@s***.com" in html
    assert "+45 12 34 56 78" not in html
    assert "fan@mail.example.com" not in html and "Best shop ever" in html
    # Agents have no pii.reveal: no reveal form.
    assert "/reveal" not in html
    # The review, its business and reviewer.
    assert "Review ra-1" in html and "Shop Owner" not in html
    assert "shop.example.com" in html and "Reviewer " in html
    # An agent works tier 1 flags of their vendor: claim is offered, with its key.
    assert 'data-key="c"' in html and 'data-key="e"' in html
    assert (f'<section id="decision-panel" class="card" aria-label="Decision" '
            f'aria-live="polite"\n             hx-get="/cases/{desk["a"]}/decision" '
            'hx-trigger="load">') in html


def test_another_vendors_case_is_not_found_by_url(sign_in: Callable[..., Browser],
                                                 desk: dict[str, Any]) -> None:
    browser = sign_in(desk["agent_a"])
    for url in (f"/cases/{desk['b']}", f"/cases/{desk['b']}/timeline", "/cases/FLG-999999",
                "/cases/nonsense"):
        r = browser.client.get(url)
        assert r.status_code == 404, url
        assert "No such case" in r.text and "Marker" not in r.text
    r = _post(browser, desk["b"], "comment", htmx=False, body="hello")
    assert r.status_code == 404
    r = _post(browser, desk["b"], "claim")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/plain")
    # The same 404 as a case that does not exist at all.
    assert _post(browser, "FLG-999999", "claim").text.replace("FLG-999999", desk["b"]) == r.text


def test_claim_start_comment_wait_resume_escalate_with_htmx(
        sign_in: Callable[..., Browser], desk: dict[str, Any], db: Database) -> None:
    browser = sign_in(desk["agent_a"])
    key = desk["a"]
    r = _post(browser, key, "claim")
    assert r.status_code == 200, r.text
    assert r.text.lstrip().startswith('<section id="case-header"')
    assert 'id="case-actions" class="card case-actions" aria-labelledby="actions-heading" ' \
           'hx-swap-oob="true"' in r.text
    assert 'id="case-timeline"' in r.text and "claimed the case" in r.text
    assert _status(db, key) == "assigned"
    assert _status(db, key) == "assigned" and "(you)" in r.text
    assert _post(browser, key, "start").status_code == 200
    r = _post(browser, key, "comment", body="Checked the order system: no order.")
    assert r.status_code == 200 and "Checked the order system: no order." in r.text
    r = _post(browser, key, "wait", reason="Asked the business for the invoice")
    assert r.status_code == 200 and _status(db, key) == "waiting_on_requester"
    assert "paused" in r.text and "Resume work" in r.text
    r = _post(browser, key, "resume")
    assert r.status_code == 200 and _status(db, key) == "in_progress"
    r = _post(browser, key, "escalate", reason="Looks like a review ring")
    assert r.status_code == 200
    with db.session() as s:
        case = s.get(Case, int(key.split("-")[1]))
        assert case.tier == 2 and case.assignee_id is None
    # Tier 2 is the specialists' queue: out of vendor A's sight, and the page says so.
    assert r.headers["hx-retarget"] == "#main" and "has left the queues" in r.text
    kinds = [e.kind for e in _events(db, key)]
    for kind in ("case.claimed", "comment", "case.status_changed", "case.escalated"):
        assert kind in kinds


def test_plain_forms_redirect_back_and_refusals_say_why(
        sign_in: Callable[..., Browser], desk: dict[str, Any], db: Database) -> None:
    browser = sign_in(desk["agent_a"])
    key = desk["a"]
    r = _post(browser, key, "claim", htmx=False)
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{key}"
    # Waiting needs the case in progress: 409 naming the state, the page shown again.
    r = _post(browser, key, "wait", htmx=False, reason="Asked")
    assert r.status_code == 409 and "Not possible now" not in r.text
    assert ("A case that is assigned cannot become waiting_on_requester. It can now become: "
            "in progress, merged, triaged.") in r.text
    assert 'id="case-error"' in r.text and 'id="case-header"' in r.text
    # htmx: the reason for #flash in X-Desk-Refused, and the case as it is now to swap in.
    r = _post(browser, key, "claim")
    assert r.status_code == 409 and "no longer waiting to be claimed" in _refusal(r)
    assert r.text.lstrip().startswith('<section id="case-header"'), r.text[:80]
    # A missing reason names the field.
    r = _post(browser, key, "escalate", reason=" ")
    assert r.status_code == 422 and r.text == "Reason: this field is required."
    r = _post(browser, key, "escalate", htmx=False)
    assert r.status_code == 422 and "Reason: this field is required." in r.text
    r = _post(browser, key, "comment", body="x\x00y")
    assert r.status_code == 422 and "Comment" in r.text
    r = _post(browser, key, "timeline")  # no such action
    assert r.status_code == 405
    assert _status(db, key) == "assigned"


def test_a_specialist_may_not_work_a_tier_above_and_is_told_why(
        sign_in: Callable[..., Browser], desk: dict[str, Any],
        make_person: Callable[..., Person]) -> None:
    low = make_person("specialist", max_tier=1, languages=["de"])
    browser = sign_in(low)
    page = browser.client.get(f"/cases/{desk['earlier']}").text
    assert "You may read this case but not work it" in page and 'data-key="c"' not in page
    assert "Add comment" in page  # a note needs only the role, as in the API
    r = _post(browser, desk["earlier"], "escalate", reason="hi")
    assert r.status_code == 403
    assert "is a tier 2 case; you work cases up to tier 1" in _refusal(r)
    r = _post(browser, desk["earlier"], "escalate", htmx=False, reason="hi")
    assert r.status_code == 403 and "you work cases up to tier 1" in r.text
    assert 'id="case-header"' in r.text


def test_viewer_role_reads_but_gets_no_actions(sign_in: Callable[..., Browser],
                                                desk: dict[str, Any],
                                                make_person: Callable[..., Person]) -> None:
    browser = sign_in(make_person("viewer"))
    html = browser.client.get(f"/cases/{desk['a']}").text
    assert "Your role reads cases; it does not work them." in html
    assert "/comment" not in html
    r = _post(browser, desk["a"], "comment", body="hi")
    assert r.status_code == 403


def test_assign_release_merge_close_reopen(sign_in: Callable[..., Browser],
                                           desk: dict[str, Any], db: Database, client: Any,
                                           manager: Person,
                                           make_person: Callable[..., Person]) -> None:
    specialist = make_person("specialist", languages=["en"])
    browser = sign_in(manager)
    key = desk["a"]
    page = browser.client.get(f"/cases/{key}").text
    options = re.findall(r'<option value="(\d+)">([^<]+)</option>', page)
    names = [n for _, n in options]
    assert any("Specialist Person" in n for n in names)
    assert not any("(agent, Vendor B)" in n for n in names)  # not vendor B's agents
    assert any("(agent, Vendor A)" in n for n in names)
    r = _post(browser, key, "assign", assignee=str(specialist.user.id), reason="Needs a look")
    assert r.status_code == 200 and "assigned the case to" in r.text
    r = _post(browser, key, "assign", assignee="abc")
    assert r.status_code == 422 and "Assign to" in r.text
    r = _post(browser, key, "release", reason="Back to the pool")
    assert r.status_code == 200 and _status(db, key) == "triaged"
    # Merge into the case of vendor B (a manager sees both): the answer sends htmx there.
    r = _post(browser, key, "merge", into=desk["b"].lower(), reason="Same reporter, same shop")
    assert r.status_code == 204 and r.headers["hx-redirect"] == f"/cases/{desk['b']}"
    assert _status(db, key) == "merged"
    r = _post(browser, desk["b"], "merge", into="FLG-999999", reason="x")
    assert r.status_code == 422 and "no case FLG-999999" in r.text
    # Decide, close, reopen the remaining case.
    b = desk["b"]
    _ok(client.post(f"{API}/cases/{b}/assign", headers=manager.headers,
                    json={"assignee": manager.user.email}))
    _ok(client.post(f"{API}/cases/{b}/transition", headers=manager.headers,
                    json={"action": "start"}))
    _ok(decide_no_action(client, manager, b), 201)
    assert "Close the case" in browser.client.get(f"/cases/{b}").text
    assert _post(browser, b, "close", htmx=False).status_code == 303
    assert _status(db, b) == "closed"
    r = _post(browser, b, "reopen")
    assert r.status_code == 422 and "Reason" in r.text
    r = _post(browser, b, "reopen", reason="The requester sent new evidence")
    assert r.status_code == 200 and _status(db, b) == "triaged"


def test_reveal_is_audited_and_only_for_pii_reveal(sign_in: Callable[..., Browser],
                                                   desk: dict[str, Any], db: Database,
                                                   make_person: Callable[..., Person]) -> None:
    specialist = sign_in(make_person("specialist"))
    key = desk["a"]
    page = specialist.client.get(f"/cases/{key}").text
    assert 'action="/cases/' + key + '/reveal"' in page and "owner@shop.example.com" not in page
    r = _post(specialist, key, "reveal", reason="x")
    assert r.status_code == 422 and "at least 3" in r.text
    r = _post(specialist, key, "reveal", reason="Need to call the reporter back")
    assert r.status_code == 200
    assert "owner@shop.example.com" in r.text and "Shop Owner" in r.text
    assert 'id="case-timeline"' in r.text and "revealed the personal data" in r.text
    revealed = [e for e in _events(db, key) if e.kind == "pii.revealed"]
    assert len(revealed) == 1 and "Need to call the reporter back" in revealed[0].payload
    # Not shown again on the next load: masked by default.
    assert "owner@shop.example.com" not in specialist.client.get(f"/cases/{key}").text
    # Full page form post shows it too.
    r = _post(specialist, key, "reveal", htmx=False, reason="Second look, for the letter")
    assert r.status_code == 200 and "owner@shop.example.com" in r.text
    agent = sign_in(desk["agent_a"])
    assert _post(agent, key, "reveal", reason="curious").status_code == 403
    assert len([e for e in _events(db, key) if e.kind == "pii.revealed"]) == 2


def test_subject_history(sign_in: Callable[..., Browser], desk: dict[str, Any],
                         manager: Person) -> None:
    html = sign_in(manager).client.get(f"/cases/{desk['a']}").text
    subjects = html[html.index('id="case-subjects"'):html.index('id="case-timeline"')]
    # The reviewer's other review (from the earlier investigation) and the earlier case.
    assert "old-1" in subjects and "Earlier review by the same person" in subjects
    assert f'href="/cases/{desk["earlier"]}"' in subjects
    # The earlier decision on them.
    decisions = subjects[subjects.index("Earlier decisions on these subjects"):]
    assert desk["earlier"] in decisions and "no action" in decisions
    # The case itself is not its own history.
    assert f'href="/cases/{desk["a"]}"' not in subjects


def test_subject_history_hides_cases_the_viewer_may_not_read(
        sign_in: Callable[..., Browser], desk: dict[str, Any]) -> None:
    html = sign_in(desk["agent_a"]).client.get(f"/cases/{desk['a']}").text
    subjects = html[html.index('id="case-subjects"'):html.index('id="case-timeline"')]
    assert "old-1" in subjects  # platform reviews are not case data
    assert desk["earlier"] not in subjects  # the investigation is not in vendor A's queues


def test_subject_history_is_a_fixed_number_of_statements(
        sign_in: Callable[..., Browser], desk: dict[str, Any], client: Any,
        manager: Person, db: Database) -> None:
    """No N+1: more subjects, more other cases, more reviews: the same count of statements."""
    from sqlalchemy import event

    browser = sign_in(manager)

    def count() -> int:
        statements: list[str] = []

        def seen(*args: Any) -> None:
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            assert browser.client.get(f"/cases/{desk['earlier']}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        return len(statements)

    def more(n: int) -> None:
        _ok(client.post(f"{API}/cases", headers=manager.headers, json=f.investigation(
            title=f"More {n}", reviews=[{"ref": f"more-{n}", "text": "t", "rating": 2,
                                         "business_domain": f"b{n}.example.com",
                                         "reviewer_ref": "u1"}],
            reviewer_refs=["u1"], business_domains=[f"b{n}.example.com"])), 201)

    more(0)
    before = count()
    for n in range(1, 4):
        more(n)
    assert count() == before


def test_timeline_filters_and_paging(sign_in: Callable[..., Browser], desk: dict[str, Any],
                                     manager: Person) -> None:
    browser = sign_in(manager)
    key = desk["a"]
    for n in range(30):
        assert _post(browser, key, "comment", body=f"note number {n}").status_code == 200
    _post(browser, key, "claim")
    full = browser.client.get(f"/cases/{key}").text
    assert "claimed the case" in full and "note number 29" in full
    assert "note number 0<" not in full and "Older events" in full
    comments = browser.client.get(f"/cases/{key}/timeline?show=comments", headers=HTMX)
    assert comments.status_code == 200
    assert comments.text.lstrip().startswith('<section id="case-timeline"')
    assert "claimed the case" not in comments.text and "note number 29" in comments.text
    older = re.search(r'hx-get="/cases/[^"]+/timeline\?show=comments&amp;before=(\d+)"',
                      comments.text)
    assert older
    page2 = browser.client.get(f"/cases/{key}/timeline?show=comments&before={older.group(1)}",
                               headers=HTMX).text
    assert "note number 0<" in page2 and "note number 29" not in page2
    state = browser.client.get(f"/cases/{key}/timeline?show=state", headers=HTMX).text
    assert "claimed the case" in state and "note number" not in state
    audit = browser.client.get(f"/cases/{key}/timeline?show=audit", headers=HTMX).text
    assert "opened the case" in audit
    # Without JavaScript: the whole page with the filter applied.
    plain = browser.client.get(f"/cases/{key}/timeline?show=state")
    assert plain.status_code == 200 and "<!doctype html>" in plain.text
    assert 'aria-current="true">State changes' in plain.text
    bad = browser.client.get(f"/cases/{key}?show=everything")
    assert bad.status_code == 422 and "show is one of" in bad.text


def test_a_specialist_replies_to_the_requester_from_the_case_view(
        sign_in: Callable[..., Browser], desk: dict[str, Any], db: Database) -> None:
    from integrity_desk.messages.models import OutboxMessage

    browser = sign_in(desk["agent_a"])
    key = desk["a"]
    assert _post(browser, key, "claim").status_code == 200
    page = browser.client.get(f"/cases/{key}").text
    assert "Reply to the requester" in page and "E-mail is off at this desk" in page
    nonce = re.search(r'name="nonce" value="([0-9a-f]+)"', page).group(1)
    r = _post(browser, key, "reply", text="We are checking the order now.", nonce=nonce)
    assert r.status_code == 200 and "queued the reply to the requester for sending" in r.text
    again = _post(browser, key, "reply", text="We are checking the order now.", nonce=nonce)
    assert again.status_code == 200  # the double click: one letter
    r = _post(browser, key, "reply", text="  ", nonce=nonce)
    assert r.status_code == 422 and "Reply: this field is required." in r.text
    with db.session() as s:
        [letter] = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply"))
        assert "We are checking the order now." in letter.body
        assert letter.recipient == "owner@shop.example.com"
        assert s.get(Case, int(key.split("-")[1])).first_responded_at is not None
