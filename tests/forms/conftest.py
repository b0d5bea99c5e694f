"""Filling in the public forms as a browser without an account would (cookies, form token)."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from integrity_desk.settings import Settings, get_settings


def form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def h1(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert found, html
    return found.group(1).strip()


def field_errors(html: str) -> dict[str, str]:
    return {m.group(1): html_lib.unescape(m.group(2)) for m in re.finditer(
        r'class="field-error" id="([\w-]+)-error">([^<]+)<', html)}


def references(html: str) -> list[str]:
    return re.findall(r'class="reference">([^<]+)<', html)


def send(client: TestClient, path: str, data: dict[str, Any], *, lang: str = "en",
         page: str | None = None) -> Any:
    """Open the form (as a browser does first), then post it with its token."""
    opened = client.get(page or f"{path}?lang={lang}")
    assert opened.status_code == 200, opened.text
    return client.post(path, data={"form_token": form_token(opened.text), "lang": lang, **data},
                       follow_redirects=False)


def consumer_notice(**over: Any) -> dict[str, Any]:
    return {"sender_type": "consumer", "name": "Ana Notifier", "email": "ana@mail.example.org",
            "urls": "https://reviews.example.com/reviews/r1\n"
                    "https://reviews.example.com/reviews/r2",
            "category": "harmful_illegal", "legal_basis": "Bedrohung (§ 241 StGB)",
            "explanation": "The review threatens the shop owner with violence.",
            "good_faith": "yes", **over}


def law_firm_notice(**over: Any) -> dict[str, Any]:
    return {"sender_type": "law_firm", "name": "Jane Counsel", "email": "jane@law.example.com",
            "organisation": "Counsel & Co", "urls": "https://reviews.example.com/reviews/r7\n"
            "https://elsewhere.example.net/copy-of-r7", "notice_type": "defamation",
            "jurisdiction": "DE", "deadline": "2099-01-31",
            "legal_basis": "§ 186 StGB (üble Nachrede)",
            "explanation": "The review states false facts about our client.", "good_faith": "yes",
            **over}


@pytest.fixture
def settings() -> Settings:
    """The app signs and checks links with the same key as the services that write them (in
    production both read IDESK_SECRET_KEY; in tests the services see the process settings)."""
    return Settings(secret_key=get_settings().secret_key)
