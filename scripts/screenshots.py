"""The README's and docs/console.md's screenshots, taken from a fresh demo desk.

    .venv/bin/python scripts/screenshots.py        # writes docs/img/*.png

Seeds the demo data into a throw-away SQLite file, serves the desk on a free local port and
drives Debian's Chromium (the `chromium` on PATH) through the pages a new moderator sees
first, as the demo specialist and the demo manager, at 1280 × 800: the case list, a case, a
case whose review is hidden by the harm shield, My work and the overview.
"""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright
from sqlalchemy import select

from integrity_desk.api.app import create_app
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.demo.seed import DEMO_PASSWORD, seed_demo
from integrity_desk.migrate import migrate
from integrity_desk.settings import Settings
from integrity_desk.wiring import wire

OUT = Path(__file__).resolve().parents[1] / "docs" / "img"
# What a moderator's laptop shows (issue 19: a full screen of work at 1280 × 800).
VIEWPORT = {"width": 1280, "height": 800}
NAMES = ("cases", "case", "case-hidden", "work", "overview")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-gpu"]


def _serve(db: Database) -> tuple[str, uvicorn.Server]:
    app = create_app(db, Settings(database_url=db.url, secret_key="screenshots"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server


def _sign_in(page: object, base: str, email: str) -> None:
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.get_by_label("E-mail address").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(DEMO_PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


def main() -> int:
    wire()
    chromium = shutil.which("chromium")
    if chromium is None:
        print("no chromium on PATH: scripts/ensure-chromium.sh installs Debian's", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/demo.db")
        migrate(db)
        seed_demo(db, cases=400)
        base, server = _serve(db)
        with db.session() as session:  # an open flag whose review triage found harmful
            hidden = session.scalar(select(Case).where(
                Case.kind == "flag", Case.is_open.is_(True), Case.harm.is_not(None),
                Case.harm != "").order_by(Case.id).limit(1))
            hidden_key = hidden.key if hidden else None
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            page = browser.new_context(viewport=VIEWPORT).new_page()
            _sign_in(page, base, "specialist@desk.example.com")
            page.goto(f"{base}/cases?queue=specialists&state=open")
            page.screenshot(path=str(OUT / "cases.png"))
            first = page.locator("tr[data-row] a[data-row-link]").first.get_attribute("href")
            page.goto(f"{base}{first}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "case.png"))
            if hidden_key:
                page.goto(f"{base}/cases/{hidden_key}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / "case-hidden.png"))
            manager = browser.new_context(viewport=VIEWPORT).new_page()
            _sign_in(manager, base, "manager@desk.example.com")
            manager.goto(f"{base}/")
            manager.wait_for_load_state("networkidle")
            manager.screenshot(path=str(OUT / "work.png"))
            manager.goto(f"{base}/overview")
            manager.wait_for_load_state("networkidle")
            manager.screenshot(path=str(OUT / "overview.png"))
            browser.close()
        server.should_exit = True
        db.engine.dispose()
    for name in NAMES:
        print(OUT / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
