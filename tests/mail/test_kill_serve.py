"""Never lose, never half-store: a real ``idesk mail serve`` is killed (SIGKILL) in the middle
of a session — once while the letter is still being sent, once inside its database
transaction after the end of DATA — and the client never got a 250, nothing was stored; after a
restart the client sends again and exactly one case holds the letter and its PDF."""

from __future__ import annotations

import os
import smtplib
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.mail.models import InboundMail, MailContent, MailFile
from tests.mail.conftest import MAIL_SETTINGS
from tests.mail.letters import letter
from tests.processes import BIN, Processes, kill, wait_for
from tests.smtp_sink import free_port


def _counts(db: Database) -> tuple[int, ...]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m))
                     for m in (Case, InboundMail, MailFile, MailContent))


@pytest.fixture
def serve(db: Database, tmp_path: Path) -> Iterator[Callable[[], tuple[Any, int]]]:
    env = {**os.environ, "IDESK_DATABASE_URL": db.url, "IDESK_DB_POOL_SIZE": "2",
           **{f"IDESK_{k.upper()}": str(v) for k, v in MAIL_SETTINGS.items()}}
    procs = Processes(env, tmp_path)

    def start() -> tuple[subprocess.Popen[bytes], int]:
        port = free_port()
        log = procs.log("serve")
        proc = procs.start("serve", str(BIN / "idesk"), "mail", "serve", "--port", str(port))
        wait_for("idesk mail serve", lambda: b"listening on" in log.read_bytes()
                 or proc.poll() is not None, timeout=30, every=0.05)
        assert proc.poll() is None, log.read_text()
        return proc, port

    yield start
    procs.kill_all()


class _Writer:
    """Holds the database's write lock (the inbound_mail table on PostgreSQL, the whole file on
    SQLite), so the server's transaction stops half-way inside until the lock is released."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> _Writer:
        if self.db.dialect == "postgresql":
            self.engine = create_engine(self.db.url)
            self.conn = self.engine.connect()
            self.tx = self.conn.begin()
            self.conn.execute(text("LOCK TABLE inbound_mail IN EXCLUSIVE MODE"))
        else:
            self.sqlite = sqlite3.connect(self.db.url.removeprefix("sqlite:///"),
                                          isolation_level=None)
            self.sqlite.execute("BEGIN IMMEDIATE")
        return self

    def server_waits(self) -> bool:
        """Whether the server is blocked inside its transaction."""
        if self.db.dialect != "postgresql":
            time.sleep(1.0)  # SQLite cannot tell; its busy timeout (30 s) is far away
            return True
        with self.engine.connect() as conn:
            return bool(conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")))

    def __exit__(self, *_: Any) -> None:
        if self.db.dialect == "postgresql":
            self.tx.rollback()
            self.conn.close()
            self.engine.dispose()
        else:
            self.sqlite.execute("ROLLBACK")
            self.sqlite.close()


def test_killing_the_server_mid_session_stores_nothing_and_the_resend_lands_once(
        db: Database, serve: Callable[[], tuple[Any, int]]) -> None:
    message = letter(message_id="<abmahnung-kill@kanzlei.example>")
    raw = message.as_bytes().replace(b"\n", b"\r\n")

    # 1. Killed while the letter is still coming in (DATA half sent).
    proc, port = serve()
    client = smtplib.SMTP("127.0.0.1", port, timeout=10)
    client.ehlo()
    client.mail("a.schmidt@kanzlei.example")
    client.rcpt("legal@desk.example")
    client.putcmd("data")
    assert client.getreply()[0] == 354
    client.send(raw[: len(raw) // 2])
    kill(proc)
    with pytest.raises((smtplib.SMTPServerDisconnected, ConnectionError)):
        client.send(raw[len(raw) // 2:] + b"\r\n.\r\n")
        client.getreply()
    assert _counts(db) == (0, 0, 0, 0)

    # 2. Killed inside its transaction, after the end of DATA, before any 250.
    proc, port = serve()
    replies: list[Any] = []

    def send() -> None:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as c:
                replies.append(c.send_message(message))
        except (smtplib.SMTPException, OSError) as exc:
            replies.append(exc)

    with _Writer(db) as writer:
        sender = threading.Thread(target=send)
        sender.start()
        wait_for("the server inside its transaction", writer.server_waits, timeout=30, every=0.05)
        kill(proc)
        sender.join(timeout=30)
    assert len(replies) == 1 and isinstance(replies[0], smtplib.SMTPServerDisconnected)
    assert _counts(db) == (0, 0, 0, 0)

    # 3. Restarted: the client sends again (twice, as one whose 250 was lost would).
    proc, port = serve()
    for _ in range(2):
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as c:
            assert c.send_message(message) == {}
    # One case, one message, one PDF; the raw message and the PDF's bytes.
    assert _counts(db) == (1, 1, 1, 2)
