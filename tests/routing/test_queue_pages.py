"""Queue settings in the console: a manager adds, edits, deactivates and reactivates queues by
forms (CSRF-checked), with the same rules and audit as the API; others are refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.routing.models import Queue
from tests import factories as f

PAGE = "/queue-settings"


@pytest.fixture
def vendor(make_team):
    return make_team("Northwind BPO", kind="vendor")


def _form(browser, **over):
    data = {"csrf_token": browser.csrf, "name": "Flags, German", "team": "Northwind BPO",
            "kinds": ["flag"], "tier": "1", "languages": "de, at", "position": "5"}
    data.update(over)
    return data


def _queue(db, slug):
    with db.session() as s:
        queue = s.scalar(select(Queue).where(Queue.slug == slug))
        if queue is not None:
            s.expunge(queue)
        return queue


def test_a_manager_adds_a_queue(sign_in, manager, db, vendor):
    browser = sign_in(manager)
    page = browser.client.get(PAGE)
    assert page.status_code == 200
    assert 'href="/queue-settings" aria-current="page"' in page.text
    r = browser.client.post(PAGE, data=_form(browser, slug="flags-de"), follow_redirects=False)
    assert r.status_code == 303, r.text
    queue = _queue(db, "flags-de")
    assert (queue.kinds, queue.languages, queue.position, queue.active) == (
        ["flag"], ["at", "de"], 5, True)
    assert "flags-de" in browser.client.get(PAGE).text


@pytest.mark.parametrize(("over", "field", "status"), [
    ({"position": "-1"}, "position", 422),
    ({"position": "99999999999999999999999"}, "position", 422),
    ({"position": "many"}, "position", 422),
    ({"team": ""}, "team", 422),
    ({"kinds": []}, "kinds", 422),
    ({"slug": "Bad Slug"}, "slug", 422),
    ({"name": "Fl\x00ags"}, "name", 422),
    ({"slug": "flags"}, "slug", 409),
])
def test_a_bad_new_queue_is_shown_again_with_its_error(sign_in, manager, db, vendor, over,
                                                       field, status):
    browser = sign_in(manager)
    r = browser.client.post(PAGE, data=_form(browser, **{"slug": "flags-de", **over}))
    assert r.status_code == status, r.text
    assert 'class="error-summary" role="alert"' in r.text
    assert f'href="#{field}"' in r.text
    assert _queue(db, "flags-de") is None


def test_a_manager_edits_a_queue_and_the_change_is_audited(sign_in, manager, db, vendor):
    browser = sign_in(manager)
    form = browser.client.get(f"{PAGE}/flags")
    assert form.status_code == 200 and 'value="Flags (tier 1)"' in form.text
    r = browser.client.post(f"{PAGE}/flags", data=_form(browser, name="Flags, English",
                                                        languages="en", position="7"),
                            follow_redirects=False)
    assert r.status_code == 303, r.text
    queue = _queue(db, "flags")
    assert (queue.name, queue.team_id is not None, queue.languages, queue.position) == (
        "Flags, English", True, ["en"], 7)
    with db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.kind == "queue.changed"))
        assert json.loads(event.payload)["after"]["team"] == "Northwind BPO"


def test_a_bad_edit_keeps_the_queue_as_it_was(sign_in, manager, db, vendor):
    browser = sign_in(manager)
    r = browser.client.post(f"{PAGE}/flags", data=_form(browser, position="2000000"))
    assert r.status_code == 422
    assert 'aria-invalid="true"' in r.text and 'href="#position"' in r.text
    assert _queue(db, "flags").position == 10


def test_deactivate_and_reactivate_swap_the_row_for_htmx(sign_in, manager, db, vendor):
    browser = sign_in(manager)
    hx = {"HX-Request": "true", "X-CSRF-Token": browser.csrf}
    # The default "management" queue has no team: it can go, but comes back only with one.
    r = browser.client.post(f"{PAGE}/management/active", data={"active": "no"}, headers=hx)
    assert r.status_code == 200, r.text
    assert r.text.lstrip().startswith('<tr id="queue-management">') and "Reactivate" in r.text
    assert _queue(db, "management").active is False
    r = browser.client.post(f"{PAGE}/management/active", data={"active": "yes"}, headers=hx)
    assert r.status_code == 422 and "team" in r.text
    browser.client.post(f"{PAGE}/management", data=_form(
        browser, name="Management", kinds=["appeal"], tier="3", languages="", position="40"))
    r = browser.client.post(f"{PAGE}/management/active", data={"active": "yes"}, headers=hx)
    assert r.status_code == 200 and "Deactivate" in r.text
    assert _queue(db, "management").active is True


def test_a_queue_with_open_cases_is_not_deactivated_from_the_console(
        sign_in, client, manager, db, vendor):
    client.post("/api/v1/cases", json=f.flag("r-open"), headers=manager.headers)
    browser = sign_in(manager)
    r = browser.client.post(f"{PAGE}/flags/active",
                            data={"active": "no", "csrf_token": browser.csrf})
    assert r.status_code == 409
    assert "open case" in r.text
    assert _queue(db, "flags").active is True


def test_the_forms_need_the_csrf_token(sign_in, manager, db, vendor):
    browser = sign_in(manager)
    r = browser.client.post(f"{PAGE}/management/active", data={"active": "no"})
    assert r.status_code == 403
    assert _queue(db, "management").active is True


def test_others_are_refused_the_page(sign_in, specialist, make_person, vendor):
    agent = make_person("agent", team=vendor)
    for person in (specialist, agent):
        browser = sign_in(person)
        assert browser.client.get(PAGE).status_code == 403
        assert 'href="/queue-settings"' not in browser.client.get("/").text


def test_an_unknown_queue_is_a_page_not_found(sign_in, manager):
    browser = sign_in(manager)
    for r in (browser.client.get(f"{PAGE}/nowhere"),
              browser.client.post(f"{PAGE}/nowhere", data={"csrf_token": browser.csrf})):
        assert r.status_code == 404
        assert "There is no queue" in r.text and r.headers["content-type"].startswith("text/html")
