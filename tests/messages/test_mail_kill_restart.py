"""Never lose, never double: a real ``idesk worker`` and a real SMTP receiver process (the
reference sink, aiosmtpd) are killed (SIGKILL) in the middle of delivering the outbox; after
both restart every message has arrived, and the receiver, dropping repeats by Message-ID,
kept each exactly once."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select

from integrity_desk.db import Database
from integrity_desk.messages.addresses import domain_of, message_id
from integrity_desk.messages.models import OutboxAttempt, OutboxMessage
from integrity_desk.settings import Settings
from tests.messages.conftest import make_cases, queue_letters
from tests.processes import BIN, Processes, kill, listening, wait_for
from tests.smtp_sink import free_port

CASES, PER_CASE = 300, 3
MESSAGES = CASES * PER_CASE
SECRET = "kill-test-secret"


def _received(store: Path) -> int:
    """Distinct Message-IDs the receiver has committed."""
    if not store.exists():
        return 0
    with sqlite3.connect(store, timeout=30) as conn:
        try:
            return conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        except sqlite3.OperationalError:  # tables not made yet
            return 0


def _counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return dict(s.execute(select(OutboxMessage.status, func.count())
                              .group_by(OutboxMessage.status)).all())


def test_killing_the_worker_and_the_relay_loses_and_doubles_nothing(
        db: Database, tmp_path: Path) -> None:
    ids = queue_letters(db, make_cases(db, CASES, prefix="k"), per_case=PER_CASE)
    assert len(ids) == MESSAGES
    port = free_port()
    store = tmp_path / "received.db"
    settings = Settings(secret_key=SECRET)
    with db.session() as s:
        cases = dict(s.execute(select(OutboxMessage.id, OutboxMessage.case_id)).all())
    expected = {message_id(i, cases[i], domain=domain_of(settings.mail_from), secret=SECRET)
                for i in ids}
    env = {**os.environ, "IDESK_DATABASE_URL": db.url, "IDESK_SECRET_KEY": SECRET,
           "IDESK_SMTP_URL": f"smtp://127.0.0.1:{port}",
           "IDESK_WORKER_POLL_SECONDS": "0.2", "IDESK_MAIL_POLL_SECONDS": "1",
           "IDESK_MAIL_BATCH": "40", "IDESK_MAIL_CONNECTIONS": "4",
           "IDESK_MAIL_LEASE_SECONDS": "2", "IDESK_MAIL_TIMEOUT_SECONDS": "2",
           "IDESK_MAIL_BACKOFF_BASE_SECONDS": "0.2", "IDESK_MAIL_BACKOFF_CAP_SECONDS": "1",
           "IDESK_MAIL_MAX_ATTEMPTS": "100", "IDESK_DB_POOL_SIZE": "2"}
    procs = Processes(env, tmp_path / "logs")

    def receiver() -> subprocess.Popen[bytes]:
        proc = procs.start("sink", str(BIN / "python"), "-m", "integrity_desk.messages.sink",
                           "--port", str(port), "--store", str(store), "--delay-ms", "15")
        wait_for("the receiver", lambda: listening(port), timeout=30)
        return proc

    try:
        rx = receiver()
        worker = procs.start("worker", str(BIN / "idesk"), "worker")
        wait_for("the first deliveries", lambda: _received(store) >= 150)
        kill(worker)  # in the middle: a claimed batch in flight, most still queued
        after_worker_kill = _received(store)
        assert _counts(db).get("queued", 0) > 0
        assert after_worker_kill < MESSAGES
        worker = procs.start("worker", str(BIN / "idesk"), "worker")
        wait_for("more deliveries", lambda: _received(store) >= after_worker_kill + 250)
        kill(rx)  # the relay dies with sessions open; the worker keeps trying
        time.sleep(1.5)
        assert _counts(db).get("queued", 0) > 0
        rx = receiver()
        wait_for("every message", lambda: _counts(db) == {"sent": MESSAGES}, timeout=180)
    finally:
        procs.kill_all()

    with sqlite3.connect(store) as conn:
        kept = [row[0] for row in conn.execute("SELECT message_id FROM messages")]
        receipts, repeats = conn.execute(
            "SELECT count(*), coalesce(sum(repeat), 0) FROM receipts").fetchone()
    assert set(kept) == expected  # none lost, none foreign
    assert len(kept) == MESSAGES  # each exactly once after dedupe
    assert receipts == MESSAGES + repeats
    with db.session() as s:
        retried = s.scalar(select(func.count()).select_from(OutboxAttempt)
                           .where(OutboxAttempt.outcome == "retry"))
        dead = s.scalar(select(func.count()).select_from(OutboxAttempt)
                        .where(OutboxAttempt.outcome == "dead"))
    assert retried > 0, "the relay's death was never noticed: the kill came too late"
    assert dead == 0
