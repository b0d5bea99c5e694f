"""A real desk served by uvicorn on a free port, and Debian's Chromium driven by Playwright.

The server runs in a thread of the test process against the test's database (SQLite or
PostgreSQL, like every storage test), so a test can set the stage through the services and
check the database afterwards. Screenshots go to test-artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from integrity_desk.api.app import create_app
from integrity_desk.db import Database
from integrity_desk.settings import Settings
from tests.browser import axe

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-gpu"]


@pytest.fixture
def live_server(db: Database) -> Iterator[Callable[..., str]]:
    """Start the app with these settings (besides a test secret); returns its base URL."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(**settings: Any) -> str:
        app = create_app(db, Settings(secret_key="browser-test-secret", **settings))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the desk did not start")
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    path = shutil.which("chromium")
    if path is None:
        message = "no chromium on PATH (scripts/ensure-chromium.sh installs Debian's)"
        if os.environ.get("IDESK_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """One browser context (its own cookies) with a page, its console, and screenshots."""

    page: Any
    name: str
    console: list[str] = field(default_factory=list)

    def shot(self, step: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m]


@pytest.fixture
def tab(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Tab]:
    context = chromium.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    opened = Tab(page, name)
    page.on("console", lambda m: opened.console.append(f"{m.type}: {m.text}"))
    yield opened
    try:
        opened.shot("last")
    finally:
        context.close()


@pytest.fixture
def browser_in(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Tab]]:
    """A tab whose browser asks for the given language (Accept-Language), at a width."""
    contexts: list[Any] = []

    def make(locale: str = "en-GB", width: int = 1200) -> Tab:
        context = chromium.new_context(locale=locale, viewport={"width": width, "height": 900})
        contexts.append(context)
        axe.install(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        tab = Tab(page, f"{request.node.name}-{locale}-{width}".replace("[", "_").replace(
            "]", "_"))
        page.on("console", lambda m: tab.console.append(f"{m.type}: {m.text}"))
        return tab

    yield make
    for context in contexts:
        context.close()
