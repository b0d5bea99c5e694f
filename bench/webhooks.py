"""Webhook delivery benchmark: a real ``idesk worker`` delivers to a real local receiver.

    .venv/bin/python -m bench.webhooks --db postgresql [--deliveries 20000]

Cases are opened through intake with a subscriber to case.created (so the deliveries are
written as in production, in intake's transaction; the extra intake cost is measured too).
Then a worker process is started and timed until every delivery is recorded delivered; the
receiver (``integrity_desk.webhooks.receiver``, its own process) checks each signature and
drops repeats by event id in memory. Target: ≥ 500 webhooks/s (issue 8). CPU per delivery of
the worker, the receiver and PostgreSQL are printed with the load average: on a shared
machine they are steadier than the rate.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time

from sqlalchemy import func, select

from bench.common import (
    VENV_BIN,
    Table,
    free_port,
    fresh_database,
    load_average,
    log,
)
from bench.drain import drain, steady_rate
from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.service import Intake
from integrity_desk.settings import Settings
from integrity_desk.webhooks import service
from integrity_desk.webhooks.models import WebhookDelivery

NAME = "webhooks"
TARGET = 500
SECRET_KEY = "bench-webhooks"


def _flags(start: int, n: int) -> list[dict[str, object]]:
    return [{"kind": "flag", "review": {"ref": f"w{start + i}", "text": "Great!", "rating": 5,
                                        "language": "en", "business_domain": "shop.example.com",
                                        "reviewer_ref": f"u{(start + i) % 997}"},
             "reporter_type": "consumer", "category": "fake", "reason": "looks paid"}
            for i in range(n)]


def _intake(db: Database, total: int, batch: int = 1000) -> float:
    t0 = time.perf_counter()
    for start in range(0, total, batch):
        with db.session() as s:
            Intake(s, now=utcnow(), actor=SYSTEM).submit_flags(_flags(start, min(
                batch, total - start)))
    return time.perf_counter() - t0


def _delivered(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(WebhookDelivery)
                        .where(WebhookDelivery.status == "delivered")) or 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--deliveries", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    settings = Settings(secret_key=SECRET_KEY)
    db = fresh_database(args.db, NAME)
    n = args.deliveries
    log(f"{args.db}: opening {n:,} cases without a subscriber, then with one")
    bare = _intake(db, n // 10)
    port = free_port()
    with db.session() as s:
        made = service.create(s, name="bench", url=f"http://127.0.0.1:{port}/hooks",
                              event_types=["case.created"], active=True, user_id=None,
                              actor=SYSTEM, now=utcnow(), settings=settings)
    db.engine.dispose()
    with db.session() as s:  # the deliveries of the first cases: there were none
        s.execute(WebhookDelivery.__table__.delete())
    with_sub = _intake(db, n)
    # The first tenth of the reviews again: those cases are open, these requests link to them
    # (no webhook), so only the remaining ones count.
    with db.session() as s:
        owed = s.scalar(select(func.count()).select_from(WebhookDelivery)) or 0
    log(f"{owed:,} deliveries owed; starting the receiver and the worker")
    env = {**os.environ, "IDESK_DATABASE_URL": db.url, "IDESK_SECRET_KEY": SECRET_KEY,
           "IDESK_WEBHOOK_CONCURRENCY": str(args.concurrency),
           "IDESK_WEBHOOK_BATCH": str(args.batch), "IDESK_WEBHOOK_POLL_SECONDS": "1",
           "IDESK_WEBHOOK_RUN_SECONDS": "600", "IDESK_WORKER_POLL_SECONDS": "0.2"}
    receiver = subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "integrity_desk.webhooks.receiver", "--port",
         str(port), "--secret", made.secret], env=env)
    time.sleep(1.5)
    load = load_average()
    run = drain(env, receiver, owed, lambda: _delivered(db))
    with db.session() as s:
        first = s.scalar(select(func.min(WebhookDelivery.delivered_at)))
        last = s.scalar(select(func.max(WebhookDelivery.delivered_at)))
    steady = steady_rate(owed, first, last)
    table = Table(f"webhooks on {args.db}: {owed:,} deliveries, concurrency "
                  f"{args.concurrency}, batch {args.batch} (load before: {load}; after: "
                  f"{load_average()}; {os.cpu_count()} cores)")
    table.add("webhooks/s, worker start to last delivered", owed / run.wall, target=f"≥ {TARGET}",
              ok=owed / run.wall >= TARGET)
    table.add("webhooks/s, first to last delivery", float(steady), target=f"≥ {TARGET}",
              ok=steady >= TARGET)
    table.add("worker CPU ms per webhook", run.worker_cpu * 1000 / owed, fmt="{:.2f}")
    table.add("receiver CPU ms per webhook", run.receiver_cpu * 1000 / owed, fmt="{:.2f}")
    if args.db == "postgresql":
        table.add("PostgreSQL CPU ms per webhook", run.postgres_cpu * 1000 / owed, fmt="{:.2f}")
    table.add("intake ms per flag, nobody subscribed (batches of 1,000)",
              bare * 1000 / (n // 10), fmt="{:.3f}")
    table.add("intake ms per flag, a case.created subscriber", with_sub * 1000 / n,
              fmt="{:.3f}")
    table.print()


if __name__ == "__main__":
    main()
