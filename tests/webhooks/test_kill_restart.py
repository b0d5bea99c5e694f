"""Never lose, never double: a real ``idesk worker`` and a real receiver process are killed
(SIGKILL) in the middle of delivering; after both restart every webhook has arrived, and the
receiver, dropping repeats by the event id, has processed each exactly once."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select

from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.service import Intake
from integrity_desk.settings import Settings
from integrity_desk.webhooks import service
from integrity_desk.webhooks.models import WebhookAttempt, WebhookDelivery
from tests import factories as f
from tests.processes import BIN, Processes, kill, listening, wait_for
from tests.smtp_sink import free_port

CASES = 900


def _received(store: Path) -> tuple[int, int]:
    """(distinct events, all receipts) the receiver has committed."""
    if not store.exists():
        return 0, 0
    with sqlite3.connect(store, timeout=30) as conn:
        try:
            events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
            receipts = conn.execute("SELECT count(*) FROM receipts").fetchone()[0]
        except sqlite3.OperationalError:  # tables not made yet
            return 0, 0
    return events, receipts


def _counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return dict(s.execute(select(WebhookDelivery.status, func.count())
                              .group_by(WebhookDelivery.status)).all())



def test_killing_the_worker_and_the_receiver_loses_and_doubles_nothing(
        db: Database, tmp_path: Path) -> None:
    settings = Settings(secret_key="kill-test-secret")
    port = free_port()
    store = tmp_path / "received.db"
    with db.session() as s:
        made = service.create(s, name="kill test", url=f"http://127.0.0.1:{port}/hooks",
                              event_types=["case.created"], active=True, user_id=None,
                              actor=SYSTEM, now=utcnow(), settings=settings)
    with db.session() as s:
        intake = Intake(s, now=utcnow(), actor=SYSTEM)
        results = intake.submit_flags([f.flag(f"k{n}") for n in range(CASES)])
    assert {r["status"] for r in results} == {"created"}
    with db.session() as s:
        expected = set(s.scalars(select(WebhookDelivery.event_id)))
    assert len(expected) == CASES

    env = {**os.environ, "IDESK_DATABASE_URL": db.url, "IDESK_SECRET_KEY": "kill-test-secret",
           "IDESK_WORKER_POLL_SECONDS": "0.2", "IDESK_WEBHOOK_POLL_SECONDS": "1",
           "IDESK_WEBHOOK_BATCH": "40", "IDESK_WEBHOOK_CONCURRENCY": "8",
           "IDESK_WEBHOOK_LEASE_SECONDS": "2", "IDESK_WEBHOOK_TIMEOUT_SECONDS": "2",
           "IDESK_WEBHOOK_BACKOFF_BASE_SECONDS": "0.2", "IDESK_WEBHOOK_BACKOFF_CAP_SECONDS": "1",
           "IDESK_WEBHOOK_MAX_ATTEMPTS": "100", "IDESK_DB_POOL_SIZE": "2"}
    procs = Processes(env, tmp_path / "logs")

    def receiver() -> subprocess.Popen[bytes]:
        proc = procs.start("receiver", str(BIN / "python"), "-m",
                           "integrity_desk.webhooks.receiver", "--port", str(port),
                           "--secret", made.secret, "--store", str(store), "--delay-ms", "15")
        wait_for("the receiver", lambda: listening(port), timeout=30)
        return proc

    try:
        rx = receiver()
        worker = procs.start("worker", str(BIN / "idesk"), "worker")
        wait_for("the first deliveries", lambda: _received(store)[0] >= 150)
        kill(worker)  # in the middle: claimed batches in flight, most still pending
        after_worker_kill = _received(store)[0]
        assert _counts(db).get("pending", 0) > 0
        assert after_worker_kill < CASES
        worker = procs.start("worker", str(BIN / "idesk"), "worker")
        wait_for("more deliveries", lambda: _received(store)[0] >= after_worker_kill + 250)
        kill(rx)  # the receiver dies with requests in flight; the worker keeps trying
        time.sleep(1.5)
        assert _counts(db).get("pending", 0) > 0
        rx = receiver()
        wait_for("every delivery", lambda: _counts(db) == {"delivered": CASES}, timeout=180)
    finally:
        procs.kill_all()

    with sqlite3.connect(store) as conn:
        processed = [row[0] for row in conn.execute("SELECT event_id FROM events")]
        receipts, repeats = conn.execute(
            "SELECT count(*), coalesce(sum(repeat), 0) FROM receipts").fetchone()
    assert set(processed) == expected  # none lost
    assert len(processed) == CASES  # exactly once after dedupe
    assert receipts == CASES + repeats
    with db.session() as s:
        failed = s.scalar(select(func.count()).select_from(WebhookAttempt)
                          .where(WebhookAttempt.outcome == "retry"))
    assert failed > 0, "the receiver's death was never noticed: the kill came too late"
