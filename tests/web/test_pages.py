"""The console's pages: who you are, your tokens, CSRF on htmx and forms, no inline script."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from integrity_desk.web.render import HERE
from tests.conftest import Browser, Person

HTMX = {"HX-Request": "true"}


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    r = client.get("/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Faccount"
    htmx = client.post("/account/tokens/1/revoke", headers=HTMX, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/login"


def test_landing_page_is_my_work_and_the_account_says_who_you_are(
        sign_in: Callable[..., Browser], make_person: Callable[..., Person],
        make_team: Callable[..., object]) -> None:
    team = make_team("Vendor A", kind="vendor")
    agent = make_person("agent", team=team, languages=["de", "en"])
    browser = sign_in(agent)
    page = browser.client.get("/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert "<h1>My work</h1>" in html
    assert f"Signed in as {agent.user.name} · agent · Vendor A" in html
    assert '<main id="main"' in html and 'href="#main"' in html
    assert '<meta name="csrf-token" content="' in html and 'href="/account"' in html
    account = browser.client.get("/account").text
    for fact in (agent.user.email, "agent", "Vendor A", "de, en"):
        assert fact in account


def test_account_lists_tokens_without_secrets(sign_in: Callable[..., Browser],
                                              specialist: Person) -> None:
    html = sign_in(specialist).client.get("/account").text
    assert specialist.token[:10] in html and specialist.token not in html
    assert "<th scope=\"col\">Last used</th>" in html and "active" in html


def _token_id(browser: Browser) -> int:
    found = re.search(r'id="token-(\d+)"', browser.client.get("/account").text)
    assert found
    return int(found.group(1))


def test_htmx_revoke_with_the_page_token_returns_the_row(
        client: TestClient, sign_in: Callable[..., Browser], specialist: Person) -> None:
    browser = sign_in(specialist)
    token_id = _token_id(browser)
    forged = browser.client.post(f"/account/tokens/{token_id}/revoke",
                                 headers={**HTMX, "X-CSRF-Token": "forged"})
    assert forged.status_code == 403 and "security token" in forged.text
    assert forged.headers["content-type"].startswith("text/plain")
    assert client.get("/api/v1/me", headers=specialist.headers).status_code == 200
    # The header wins over a correct form field: a forged header is never rescued.
    mixed = browser.client.post(f"/account/tokens/{token_id}/revoke",
                                data={"csrf_token": browser.csrf},
                                headers={**HTMX, "X-CSRF-Token": "forged"})
    assert mixed.status_code == 403
    r = browser.client.post(f"/account/tokens/{token_id}/revoke",
                            headers={**HTMX, "X-CSRF-Token": browser.csrf})
    assert r.status_code == 200
    assert r.text.lstrip().startswith(f'<tr id="token-{token_id}">') and "revoked" in r.text
    assert client.get("/api/v1/me", headers=specialist.headers).status_code == 401


def test_plain_form_revoke_works_without_javascript(sign_in: Callable[..., Browser],
                                                    specialist: Person) -> None:
    browser = sign_in(specialist)
    token_id = _token_id(browser)
    missing = browser.client.post(f"/account/tokens/{token_id}/revoke", follow_redirects=False)
    assert missing.status_code == 403 and "Request refused" in missing.text
    r = browser.client.post(f"/account/tokens/{token_id}/revoke",
                            data={"csrf_token": browser.csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/account"


def test_someone_elses_token_is_not_found(sign_in: Callable[..., Browser],
                                          specialist: Person,
                                          make_person: Callable[..., Person]) -> None:
    other = sign_in(make_person("specialist"))
    token_id = _token_id(other)
    mine = sign_in(specialist)
    r = mine.client.post(f"/account/tokens/{token_id}/revoke",
                         data={"csrf_token": mine.csrf})
    assert r.status_code == 404 and "No such token" in r.text


def test_templates_have_no_inline_script_or_event_handlers() -> None:
    """The CSP forbids them; a template that used one would break in the browser."""
    for path in (HERE / "templates").glob("*.html"):
        html = path.read_text()
        # A JSON data block is not executed, and the CSP lets it be (the overview's chart data).
        code = re.sub(r'<script type="application/json"[^>]*>.*?</script>', "", html, flags=re.S)
        for tag in re.findall(r"<script\b[^>]*>", code):
            assert "src=" in tag, (path.name, tag)
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", code), path.name
        assert not re.search(r"\son[a-z]+\s*=", html), path.name
        assert "style=" not in html, path.name
        assert "hx-on" not in html, path.name


def test_assets_are_served_from_the_package(client: TestClient) -> None:
    htmx = client.get("/static/htmx.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text[:200]
    assert "X-CSRF-Token" in client.get("/static/desk.js").text
    assert ":focus-visible" in client.get("/static/desk.css").text
    for template in (HERE / "templates").glob("*.html"):
        assert not re.search(r'(?:src|href)="(https?:)?//', template.read_text()), template.name
    assert Path(HERE / "static" / "VENDOR.txt").exists()
