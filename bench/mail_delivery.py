"""Outbox delivery benchmark: a real ``idesk worker`` hands the outbox to a real local SMTP
server.

    .venv/bin/python -m bench.mail_delivery --db postgresql [--messages 10000]

Cases are opened through intake and letters queued on them through ``queue_texts`` (as a
decision queues them, with their timeline events). Then the reference SMTP receiver
(``integrity_desk.messages.sink``, aiosmtpd, its own process, dropping repeats by Message-ID
in memory) and a worker process are started, and the worker is timed until every message is
recorded sent (each with its attempt row and its ``message.sent`` timeline event). Target:
≥ 200 e-mails/s (issue 18). CPU per message of the worker, the receiver and PostgreSQL are
printed with the load average: on a shared machine they are steadier than the rate.
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
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.service import Intake
from integrity_desk.messages.domain import MessageKind
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.messages.service import Text, queue_texts

NAME = "mail"
TARGET = 200
SECRET_KEY = "bench-mail"
BODY = ("Dear Ann,\n\nwe have decided on your notice about the review. "
        "Wir haben entschieden; nous avons décidé.\n\n" + "A line of the letter.\n" * 30)


def _queue(db: Database, cases: int, per_case: int) -> float:
    t0 = time.perf_counter()
    with db.session() as s:
        Intake(s, now=utcnow(), actor=SYSTEM).submit_flags([
            {"kind": "flag", "review": {"ref": f"m{i}", "text": "Great!", "rating": 5,
                                        "language": "en", "business_domain": "shop.example.com",
                                        "reviewer_ref": f"u{i % 997}"},
             "reporter_type": "consumer", "category": "fake", "reason": "looks paid"}
            for i in range(cases)])
    with db.session() as s:
        for case in s.scalars(select(Case)):
            queue_texts(s, [Text(kind=MessageKind.DECISION_NOTICE, to=f"ann{case.id}@example.org",
                                 role="notifier", subject=f"Our decision on {case.key}",
                                 body=BODY, language="en", key=f"bench:{case.id}:{n}")
                            for n in range(per_case)], case=case, actor=SYSTEM, now=utcnow())
    return time.perf_counter() - t0


def _sent(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.status == "sent")) or 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--per-case", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    db = fresh_database(args.db, NAME)
    cases = max(1, args.messages // args.per_case)
    owed = cases * args.per_case
    log(f"{args.db}: {cases:,} cases, {owed:,} letters queued on them")
    queued = _queue(db, cases, args.per_case)
    port = free_port()
    env = {**os.environ, "IDESK_DATABASE_URL": db.url, "IDESK_SECRET_KEY": SECRET_KEY,
           "IDESK_SMTP_URL": f"smtp://127.0.0.1:{port}",
           "IDESK_MAIL_FROM": "Integrity Desk <desk@desk.example>",
           "IDESK_MAIL_CONNECTIONS": str(args.connections),
           "IDESK_MAIL_BATCH": str(args.batch), "IDESK_MAIL_POLL_SECONDS": "1",
           "IDESK_MAIL_RUN_SECONDS": "600", "IDESK_WORKER_POLL_SECONDS": "0.2"}
    receiver = subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "integrity_desk.messages.sink", "--port", str(port)],
        env=env)
    time.sleep(1.5)
    load = load_average()
    run = drain(env, receiver, owed, lambda: _sent(db))
    with db.session() as s:
        first = s.scalar(select(func.min(OutboxMessage.sent_at)))
        last = s.scalar(select(func.max(OutboxMessage.sent_at)))
    steady = steady_rate(owed, first, last)
    table = Table(f"mail delivery on {args.db}: {owed:,} e-mails, {args.connections} SMTP "
                  f"connections, batch {args.batch} (load before: {load}; after: "
                  f"{load_average()}; {os.cpu_count()} cores)")
    table.add("e-mails/s, worker start to last sent", owed / run.wall, target=f"≥ {TARGET}",
              ok=owed / run.wall >= TARGET)
    table.add("e-mails/s, first to last sent", float(steady), target=f"≥ {TARGET}",
              ok=steady >= TARGET)
    table.add("worker CPU ms per e-mail", run.worker_cpu * 1000 / owed, fmt="{:.2f}")
    table.add("receiver CPU ms per e-mail", run.receiver_cpu * 1000 / owed, fmt="{:.2f}")
    if args.db == "postgresql":
        table.add("PostgreSQL CPU ms per e-mail", run.postgres_cpu * 1000 / owed, fmt="{:.2f}")
    table.add("queueing ms per letter (intake and queue_texts)", queued * 1000 / owed,
              fmt="{:.3f}")
    table.print()


if __name__ == "__main__":
    main()
