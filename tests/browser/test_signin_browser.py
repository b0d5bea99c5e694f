"""A person in Chromium: signs in and out, is refused on a forged CSRF token (form and htmx),
is throttled after repeated wrong passwords, and is signed out after being idle."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect
from sqlalchemy import select

from integrity_desk.auth.models import BrowserSession
from integrity_desk.db import Database
from integrity_desk.people.models import ApiToken, User
from integrity_desk.people.passwords import hash_password
from tests.browser import axe
from tests.browser.conftest import Tab
from tests.conftest import PASSWORD, Person


def _with_password(db: Database, person: Person) -> Person:
    with db.session() as s:
        s.get(User, person.user.id).password_hash = hash_password(PASSWORD)
    return person


def open_console(tab: Tab, base: str, db: Database, person: Person, *, width: int) -> Page:
    """Sign ``person`` in (given a password) at ``width`` × 900, axe loaded: where a console
    test starts."""
    signed = _with_password(db, person)
    axe.install(tab.page.context)
    tab.page.set_viewport_size({"width": width, "height": 900})
    _sign_in(tab, base, signed.user.email)
    return tab.page


def _sign_in(tab: Tab, base: str, email: str, password: str = PASSWORD) -> int:
    """Fill in and send the sign-in form; returns the HTTP status of the answer."""
    page = tab.page
    if "/login" not in page.url:
        page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_response(lambda r: r.url.startswith(f"{base}/login")
                              and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return answer.value.status


def test_sign_in_and_out(live_server: Callable[..., str], tab: Tab, db: Database,
                         make_person: Callable[..., Person]) -> None:
    base = live_server()
    person = _with_password(db, make_person("specialist"))
    page = tab.page
    page.goto(f"{base}/account")
    expect(page).to_have_url(f"{base}/login?next=%2Faccount")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("E-mail address")).to_be_focused()
    tab.shot("1-login")

    assert _sign_in(tab, base, person.user.email) == 303
    expect(page).to_have_url(f"{base}/account")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", name="My work", exact=True)).to_be_visible()
    expect(page.get_by_text(f"Signed in as {person.user.name}")).to_be_visible()
    page.keyboard.press("Tab")  # the skip link comes first for keyboard users, and shows
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    expect(page.get_by_role("link", name="Skip to the content")).to_be_in_viewport()
    tab.shot("2-signed-in")
    cookie = next(c for c in page.context.cookies() if c["name"] == "idesk_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert "idesk_session" not in page.evaluate("document.cookie")  # out of scripts' reach

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    tab.shot("3-signed-out")
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login?next=%2F")
    with db.session() as s:
        assert s.scalar(select(BrowserSession.end_reason)) == "logout"
    assert tab.csp_violations() == []


def test_a_forged_csrf_token_is_refused_on_a_form(live_server: Callable[..., str], tab: Tab,
                                                  db: Database,
                                                  make_person: Callable[..., Person]) -> None:
    base = live_server()
    person = _with_password(db, make_person("specialist"))
    _sign_in(tab, base, person.user.email)
    page = tab.page
    page.evaluate("document.querySelector('form.signout input[name=csrf_token]').value = "
                  "'forged'")
    with page.expect_response(f"{base}/logout") as answer:
        page.get_by_role("button", name="Sign out").click()
    assert answer.value.status == 403
    expect(page.get_by_role("heading", name="Request refused")).to_be_visible()
    tab.shot("refused")
    page.goto(f"{base}/")  # the forged request changed nothing: still signed in
    expect(page.get_by_text(f"Signed in as {person.user.name}")).to_be_visible()


def test_a_forged_csrf_token_is_refused_on_an_htmx_request(
        live_server: Callable[..., str], tab: Tab, db: Database,
        make_person: Callable[..., Person]) -> None:
    base = live_server()
    person = _with_password(db, make_person("specialist"))
    _sign_in(tab, base, person.user.email)
    page = tab.page
    page.goto(f"{base}/account")
    row = page.locator("tbody tr").first
    expect(row.get_by_text("active")).to_be_visible()
    page.evaluate("document.querySelector('meta[name=csrf-token]').content = 'forged'")
    with page.expect_response(lambda r: "/revoke" in r.url) as answer:
        row.get_by_role("button", name="Revoke").click()
    assert answer.value.status == 403
    expect(page.get_by_role("alert").filter(has_text="security token")).to_be_visible()
    expect(row.get_by_text("active")).to_be_visible()
    tab.shot("htmx-refused")
    with db.session() as s:
        assert s.scalar(select(ApiToken.revoked_at)) is None

    page.reload()  # the page's real token again: htmx sends it, the row is swapped in place
    with page.expect_response(lambda r: "/revoke" in r.url) as answer:
        page.locator("tbody tr").first.get_by_role("button", name="Revoke").click()
    assert answer.value.status == 200
    expect(page.locator("tbody tr").first.get_by_text("revoked")).to_be_visible()
    expect(page).to_have_url(f"{base}/account")
    tab.shot("htmx-revoked")
    with db.session() as s:
        assert s.scalar(select(ApiToken.revoked_at)) is not None
    assert tab.csp_violations() == []


def test_repeated_wrong_passwords_are_throttled(live_server: Callable[..., str], tab: Tab,
                                                db: Database,
                                                make_person: Callable[..., Person]) -> None:
    # A long first lock, so the right password is tried while it surely holds.
    base = live_server(login_backoff_seconds=30)
    person = _with_password(db, make_person("specialist"))
    statuses = [_sign_in(tab, base, person.user.email, "not-the-password-1") for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    expect(tab.page.get_by_text("Too many failed sign-ins. Try again in 30 s.")).to_be_visible()
    tab.shot("locked")
    assert _sign_in(tab, base, person.user.email) == 429  # the right password, during the lock
    expect(tab.page.get_by_role("alert")).to_contain_text("Try again in")
    expect(tab.page).to_have_url(f"{base}/login")
    with db.session() as s:
        assert s.scalar(select(BrowserSession)) is None


def test_an_idle_session_ends(live_server: Callable[..., str], tab: Tab, db: Database,
                              make_person: Callable[..., Person]) -> None:
    base = live_server(session_idle_seconds=2)
    person = _with_password(db, make_person("specialist"))
    assert _sign_in(tab, base, person.user.email) == 303
    expect(tab.page.get_by_text(f"Signed in as {person.user.name}")).to_be_visible()
    tab.page.wait_for_timeout(2_500)
    tab.page.reload()
    expect(tab.page).to_have_url(f"{base}/login?next=%2F&ended=idle")
    expect(tab.page.get_by_text("Your session ended after a while without activity.")
           ).to_be_visible()
    tab.shot("idle")
    with db.session() as s:
        assert s.scalar(select(BrowserSession.end_reason)) == "idle"
