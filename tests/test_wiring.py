"""Start-up wiring (integrity_desk.wiring): importing the desk registers nothing, and every entry
point calls ``wire()`` before its first unit of work.

An entry point that forgot would drop webhook deliveries silently (and, on SQLite, fail the
first write to an indexed table), so each is checked in a fresh interpreter: this test process
has been wired by the conftest already.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Run first in every child: nothing is wired yet, whatever the snippet imported.
_CHECK = """
from integrity_desk.db import _sqlite_functions
from integrity_desk.search.text import SQL_FUNCTION
from integrity_desk.wiring import is_wired

def wired() -> bool:
    listener = is_wired()
    function = SQL_FUNCTION in _sqlite_functions
    assert listener == function, (listener, function)  # one call registers both
    return listener
"""

ENTRY_POINTS: dict[str, str] = {
    "api app factory": """
        from integrity_desk.api.app import create_app
        from integrity_desk.settings import Settings
        from integrity_desk.db import Database
        assert not wired()
        create_app(Database(URL), Settings(database_url=URL))
    """,
    "cli": """
        import os
        os.environ["IDESK_DATABASE_URL"] = URL
        from typer.testing import CliRunner
        from integrity_desk.cli.main import app
        assert not wired()
        result = CliRunner().invoke(app, ["migrate"])
        assert result.exit_code == 0, result.output
    """,
    "worker": """
        from integrity_desk.settings import Settings
        from integrity_desk.db import Database
        from integrity_desk.jobs.worker import Worker
        assert not wired()
        Worker(Database(URL), Settings(database_url=URL))
    """,
    "migrations": """
        from integrity_desk.db import Database
        from integrity_desk.migrate import migrate
        assert not wired()
        migrate(Database(URL))
    """,
    "smtp server": """
        from integrity_desk.settings import Settings
        from integrity_desk.db import Database
        from integrity_desk.mail.service import MailPolicy
        from integrity_desk.mail.smtp import controller
        from tests.mail.conftest import MAIL_SETTINGS
        assert not wired()
        policy = MailPolicy.from_settings(Settings(**MAIL_SETTINGS))
        controller(Database(URL), policy, host="127.0.0.1", port=0)  # built, never started
    """,
    "imap poller": """
        from integrity_desk.settings import Settings
        from integrity_desk.db import Database
        from integrity_desk.mail.imap import MailboxUrl, poll_once
        from integrity_desk.mail.service import MailPolicy
        from tests.mail.conftest import MAIL_SETTINGS
        assert not wired()
        policy = MailPolicy.from_settings(Settings(**MAIL_SETTINGS))
        url = MailboxUrl.parse("imap://u:p@127.0.0.1:1/INBOX")
        try:  # nobody listens on port 1: wired before it tries
            poll_once(Database(URL), policy, url)
        except OSError:
            pass
    """,
    "bench": """
        from bench.common import open_database
        assert not wired()
        open_database("sqlite", "wiring_test")
    """,
}


def _run(snippet: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    code = _CHECK + f"URL = {url!r}\n" + textwrap.dedent(snippet)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_importing_the_desk_wires_nothing(tmp_path: Path) -> None:
    """What importing models.py used to do as a side effect is ``wire()``'s alone now."""
    result = _run("""
        import integrity_desk.models, integrity_desk.webhooks.emit, integrity_desk.search.models
        import integrity_desk.api.app, integrity_desk.cli.main, integrity_desk.jobs.worker
        assert not wired()
        from integrity_desk.wiring import wire
        wire()
        wire()  # idempotent: the listener once
        from integrity_desk.audit.service import _listeners
        from integrity_desk.webhooks.emit import emit
        assert wired() and _listeners.count(emit) == 1
    """, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("entry_point", list(ENTRY_POINTS))
def test_every_entry_point_wires_the_process(entry_point: str, tmp_path: Path) -> None:
    snippet = textwrap.dedent(ENTRY_POINTS[entry_point]) + "assert wired(), 'not wired'\n"
    result = _run(snippet, tmp_path)
    assert result.returncode == 0, result.stderr
