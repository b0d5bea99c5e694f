"""The worker's side: claim due deliveries, send them concurrently, record every attempt.

At least once, never lost: a claim is committed before anything is sent (it moves the
delivery's ``next_attempt_at`` to the end of a lease, so a killed worker's deliveries come due
again), and a result is committed right after the answers arrive, guarded by the claim (the
worker's token and the attempt number), so a result that comes back after its lease ran out
cannot overwrite a newer attempt's. A receiver that was sent one event twice — the worker died
between its answer and the commit — sees the same ``Idesk-Event-Id`` both times and drops the
repeat. Claims take ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers share the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from integrity_desk import __version__
from integrity_desk.bulk import BulkInsert
from integrity_desk.db import utcnow
from integrity_desk.retries import RetryPolicy, claim_due
from integrity_desk.settings import Settings
from integrity_desk.webhooks import domain
from integrity_desk.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from integrity_desk.webhooks.secrets import SecretUnreadable
from integrity_desk.webhooks.service import signing_secrets

JOB = "webhooks.deliver"
PRUNE_JOB = "webhooks.prune"
USER_AGENT = f"IntegrityDesk-Webhooks/{__version__}"
RESPONSE_BYTES = 64 * 1024  # read at most this much of an answer (the rest is dropped)
# Connections per HTTP client. httpcore's pool walks all its connections on every request
# (a cost that grows with the pool); small pools, one client each, keep that walk short.
POOL_SIZE = 4

_T = WebhookDelivery.__table__
_INSERT_ATTEMPTS = BulkInsert(WebhookAttempt.__table__, [
    "delivery_id", "subscription_id", "attempt", "started_at", "status_code", "latency_ms",
    "outcome", "error"])
_RECORD = (
    update(_T).where(_T.c.id == bindparam("b_id"), _T.c.claimed_by == bindparam("b_token"),
                     _T.c.attempts == bindparam("b_attempt"))
    .values(status=bindparam("b_status"), next_attempt_at=bindparam("b_next"),
            last_status_code=bindparam("b_code"), last_error=bindparam("b_error"),
            delivered_at=bindparam("b_delivered"), dead_at=bindparam("b_dead"),
            claimed_by=None))


@dataclass
class Claimed:
    id: int
    subscription_id: int
    event_id: str
    event_type: str
    body: str
    attempt: int


@dataclass
class Target:
    url: str
    secrets: list[str]


@dataclass
class Result:
    delivery: Claimed
    started_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def policy_of(settings: Settings) -> RetryPolicy:
    return RetryPolicy(settings.webhook_max_attempts,
                              settings.webhook_backoff_base_seconds,
                              settings.webhook_backoff_cap_seconds)


def lease_seconds(settings: Settings, batch: int) -> float:
    """Long enough for the whole batch to time out in waves of ``concurrency``."""
    waves = math.ceil(batch / settings.webhook_concurrency)
    return settings.webhook_lease_seconds + waves * settings.webhook_timeout_seconds


def claim(session: Session, *, token: str, now: datetime, limit: int, lease: float
          ) -> list[Claimed]:
    """Take up to ``limit`` due deliveries (integrity_desk.retries.claim_due)."""
    rows = claim_due(session, _T, waiting="pending", token=token, now=now, limit=limit,
                     lease=lease, returning=[_T.c.subscription_id, _T.c.event_id,
                                             _T.c.event_type, _T.c.body, _T.c.attempts])
    return [Claimed(*row) for row in rows]


def targets(session: Session, claimed: list[Claimed], *, now: datetime,
            settings: Settings) -> dict[int, Target | str]:
    """Where each subscription sends, with its secrets; a reason instead when it cannot."""
    found: dict[int, Target | str] = {}
    ids = {c.subscription_id for c in claimed}
    for sub in session.scalars(select(WebhookSubscription).where(WebhookSubscription.id.in_(ids))):
        if not sub.active:
            found[sub.id] = "the subscription is inactive"
            continue
        try:
            found[sub.id] = Target(sub.url, signing_secrets(sub, now=now, settings=settings))
        except SecretUnreadable as exc:
            found[sub.id] = str(exc)
    return found


async def send(client: httpx.AsyncClient, gate: asyncio.Semaphore, d: Claimed,
               target: Target) -> Result:
    body = d.body.encode()
    headers = {
        "content-type": "application/json",
        domain.SIGNATURE_HEADER: domain.signature_header(target.secrets, body),
        domain.EVENT_ID_HEADER: d.event_id, domain.EVENT_TYPE_HEADER: d.event_type,
        domain.DELIVERY_HEADER: str(d.id), domain.ATTEMPT_HEADER: str(d.attempt),
    }
    async with gate:
        started, t0 = utcnow(), time.perf_counter()
        try:
            async with client.stream("POST", target.url, content=body, headers=headers) as r:
                answer = b""
                async for chunk in r.aiter_bytes():
                    answer += chunk
                    if len(answer) >= RESPONSE_BYTES:
                        break
            latency = round((time.perf_counter() - t0) * 1000)
            error = None if 200 <= r.status_code < 300 else (
                f"HTTP {r.status_code}: " + answer[:300].decode("utf-8", "replace")).strip()
            return Result(d, started, r.status_code, latency, error,
                          domain.retry_after_seconds(r.headers.get("retry-after")))
        except httpx.HTTPError as exc:
            latency = round((time.perf_counter() - t0) * 1000)
            return Result(d, started, None, latency,
                          f"{type(exc).__name__}: {exc}".strip()[:500] or type(exc).__name__)


def record(session: Session, results: list[Result], *, token: str, now: datetime,
           policy: RetryPolicy) -> dict[str, int]:
    counts = {"delivered": 0, "retry": 0, "dead": 0}
    updates, attempts = [], []
    for r in sorted(results, key=lambda r: r.delivery.id):  # one lock order for every writer
        d = r.delivery
        if r.ok:
            outcome, status, next_at = "delivered", "delivered", now
        elif policy.exhausted(d.attempt) or r.status_code == -1:
            outcome, status, next_at = "dead", "dead", now
        else:
            outcome, status = "retry", "pending"
            next_at = now + timedelta(seconds=policy.delay(d.attempt, retry_after=r.retry_after))
        counts[outcome] += 1
        code = r.status_code if r.status_code != -1 else None
        updates.append(dict(b_id=d.id, b_token=token, b_attempt=d.attempt, b_status=status,
                            b_next=next_at, b_code=code,
                            b_error=r.error[:500] if r.error else None,
                            b_delivered=now if status == "delivered" else None,
                            b_dead=now if status == "dead" else None))
        attempts.append(dict(delivery_id=d.id, subscription_id=d.subscription_id,
                             attempt=d.attempt, started_at=r.started_at, status_code=code,
                             latency_ms=r.latency_ms, outcome=outcome,
                             error=r.error[:500] if r.error else None))
    if updates:
        session.execute(_RECORD, updates)
        _INSERT_ATTEMPTS.execute(session, attempts)
    return counts


async def _run(session: Session, settings: Settings, *, until: float) -> dict[str, int]:
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    policy = policy_of(settings)
    totals = {"delivered": 0, "retry": 0, "dead": 0, "batches": 0}
    gate = asyncio.Semaphore(settings.webhook_concurrency)
    pool = min(POOL_SIZE, settings.webhook_concurrency)
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    clients = [httpx.AsyncClient(limits=limits, timeout=settings.webhook_timeout_seconds,
                                 follow_redirects=False, trust_env=False,
                                 headers={"user-agent": USER_AGENT})
               for _ in range(math.ceil(settings.webhook_concurrency / pool))]
    async with contextlib.AsyncExitStack() as stack:
        for client in clients:
            await stack.enter_async_context(client)
        while time.monotonic() < until:
            now = utcnow()
            batch = claim(session, token=token, now=now, limit=settings.webhook_batch,
                          lease=lease_seconds(settings, settings.webhook_batch))
            if not batch:
                session.commit()
                break
            where = targets(session, batch, now=now, settings=settings)
            session.commit()  # the claim is durable before anything is sent
            sending, refused = [], []
            for d in batch:
                target = where.get(d.subscription_id, "the subscription was deleted")
                if isinstance(target, Target):
                    sending.append(send(clients[len(sending) % len(clients)], gate, d, target))
                else:  # dead at once: replayable once the subscription is fixed
                    refused.append(Result(d, now, -1, 0, target))
            results = [*await asyncio.gather(*sending), *refused]
            for k, v in record(session, results, token=token, now=utcnow(),
                               policy=policy).items():
                totals[k] += v
            session.commit()
            totals["batches"] += 1
            if len(batch) < settings.webhook_batch:
                break  # drained
    return totals


def deliver_due(session: Session, *, settings: Settings, budget: float | None = None
                ) -> dict[str, int]:
    """Deliver what is due, batch after batch, until drained or the time budget is spent.

    Commits as it goes (claim, then results): see the module's docstring for why.
    """
    until = time.monotonic() + (settings.webhook_run_seconds if budget is None else budget)
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the worker's case: no loop in this thread
        return asyncio.run(_run(session, settings, until=until))
    # Called from a thread that runs an event loop already (an async caller): a loop of our
    # own in a thread of its own; the session is used from there alone until it returns.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _run(session, settings, until=until)).result()


def prune(session: Session, *, now: datetime, settings: Settings, batch: int = 10_000
          ) -> dict[str, int]:
    """Forget attempts and delivered deliveries older than ``webhook_log_days`` (dead letters
    stay until replayed or their subscription is deleted)."""
    cutoff = now - timedelta(days=settings.webhook_log_days)
    a = WebhookAttempt.__table__
    old_attempts = select(a.c.id).where(a.c.started_at < cutoff).order_by(a.c.id).limit(batch)
    attempts = session.execute(delete(a).where(a.c.id.in_(old_attempts))).rowcount
    old = (select(_T.c.id).where(_T.c.status == "delivered", _T.c.created_at < cutoff)
           .order_by(_T.c.created_at, _T.c.id).limit(batch))
    ids = list(session.scalars(old))
    deliveries = 0
    if ids:
        session.execute(delete(a).where(a.c.delivery_id.in_(ids)))
        deliveries = session.execute(delete(_T).where(_T.c.id.in_(ids))).rowcount
    return {"attempts": attempts, "deliveries": deliveries}


def handle(session: Session, now: datetime, payload: dict[str, Any], settings: Settings
           ) -> dict[str, int]:
    return deliver_due(session, settings=settings)
