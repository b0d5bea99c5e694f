"""Subscriptions (managed by managers and admins), their delivery log, dead letters and replay.

Every change is on the audit log's ``webhooks`` chain: who, when, what before → after (the
secret never: only its hint).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.errors import Conflict, InvalidInput, NotFound
from integrity_desk.settings import Settings
from integrity_desk.webhooks import secrets
from integrity_desk.webhooks.domain import EventType
from integrity_desk.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

CHAIN = "webhooks"
# After a rotation the old secret keeps signing this long, so receivers can switch over.
ROTATION_OVERLAP = timedelta(hours=24)
DELIVERY_STATUSES = ("pending", "delivered", "dead")


def check_url(url: str, *, settings: Settings, field: str = "url") -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("give an absolute http(s) URL, e.g. https://hooks.example.com/desk",
                           field=field)
    if len(url) > 2000:
        raise InvalidInput("at most 2,000 characters", field=field)
    if parts.scheme == "http" and not settings.webhook_allow_http and not _loopback(
            parts.hostname):
        raise InvalidInput("webhooks go over https (plain http only to this machine, unless "
                           "IDESK_WEBHOOK_ALLOW_HTTP is set)", field=field)
    return url


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_types(types: list[str], field: str = "event_types") -> list[str]:
    known = {t.value for t in EventType}
    unknown = sorted(set(types) - known)
    if unknown:
        raise InvalidInput(f"unknown event types {', '.join(unknown)}; one or more of "
                           f"{', '.join(sorted(known))}", field=field)
    if not types:
        raise InvalidInput("subscribe to at least one event type", field=field)
    return sorted(set(types))


def _view(sub: WebhookSubscription) -> dict[str, Any]:
    return {"name": sub.name, "url": sub.url, "event_types": sub.event_types,
            "active": sub.active, "secret": sub.secret_hint}


@dataclass
class Created:
    subscription: WebhookSubscription
    secret: str  # shown this once


def create(session: Session, *, name: str, url: str, event_types: list[str], active: bool,
           user_id: int | None, actor: Actor, now: datetime, settings: Settings) -> Created:
    name = name.strip()
    if not name:
        raise InvalidInput("give the subscription a name", field="name")
    secret = secrets.new_secret()
    sub = WebhookSubscription(
        name=name[:120], url=check_url(url, settings=settings), event_types=check_types(
            event_types), active=active, secret_ciphertext=secrets.encrypt(secret, settings),
        secret_hint=secrets.hint(secret), created_by_id=user_id, created_at=now,
        updated_at=now)
    session.add(sub)
    session.flush()
    record(session, kind="webhook.created", category="audit", actor=actor, chain_key=CHAIN,
           at=now, payload={"subscription_id": sub.id, "after": _view(sub)})
    return Created(sub, secret)


def get(session: Session, subscription_id: int) -> WebhookSubscription:
    sub = session.get(WebhookSubscription, subscription_id)
    if sub is None:
        raise NotFound(f"no webhook subscription {subscription_id}", field="subscription")
    return sub


def change(session: Session, sub: WebhookSubscription, *, changes: dict[str, Any],
           actor: Actor, now: datetime, settings: Settings) -> WebhookSubscription:
    before = _view(sub)
    if "name" in changes:
        if not (changes["name"] or "").strip():
            raise InvalidInput("give the subscription a name", field="name")
        sub.name = changes["name"].strip()[:120]
    if "url" in changes:
        sub.url = check_url(changes["url"], settings=settings)
    if "event_types" in changes:
        sub.event_types = check_types(changes["event_types"])
    if "active" in changes:
        sub.active = bool(changes["active"])
    after = _view(sub)
    if after == before:
        return sub
    sub.updated_at = now
    session.flush()
    record(session, kind="webhook.changed", category="audit", actor=actor, chain_key=CHAIN,
           at=now, payload={"subscription_id": sub.id, "before": before, "after": after})
    return sub


def rotate_secret(session: Session, sub: WebhookSubscription, *, actor: Actor, now: datetime,
                  settings: Settings) -> str:
    """A new secret; the old one keeps signing (a second v1) for ROTATION_OVERLAP."""
    secret = secrets.new_secret()
    before = sub.secret_hint
    sub.previous_secret_ciphertext = sub.secret_ciphertext
    sub.previous_secret_expires_at = now + ROTATION_OVERLAP
    sub.secret_ciphertext = secrets.encrypt(secret, settings)
    sub.secret_hint = secrets.hint(secret)
    sub.updated_at = now
    session.flush()
    record(session, kind="webhook.secret_rotated", category="audit", actor=actor,
           chain_key=CHAIN, at=now, payload={
               "subscription_id": sub.id, "before": before, "after": sub.secret_hint,
               "old_secret_signs_until": sub.previous_secret_expires_at})
    return secret


def signing_secrets(sub: WebhookSubscription | Any, *, now: datetime,
                    settings: Settings) -> list[str]:
    found = [secrets.decrypt(sub.secret_ciphertext, settings)]
    if sub.previous_secret_ciphertext and sub.previous_secret_expires_at and (
            sub.previous_secret_expires_at > now):
        found.append(secrets.decrypt(sub.previous_secret_ciphertext, settings))
    return found


def listing(session: Session, *, after: int | None, limit: int
            ) -> tuple[list[tuple[WebhookSubscription, dict[str, int]]], int | None]:
    """Subscriptions by id with their deliveries counted by status (one grouped read)."""
    query = select(WebhookSubscription).order_by(WebhookSubscription.id).limit(limit + 1)
    if after:
        query = query.where(WebhookSubscription.id > after)
    subs = list(session.scalars(query))
    more = len(subs) > limit
    subs = subs[:limit]
    found = counts(session, [s.id for s in subs])
    return [(s, found[s.id]) for s in subs], (subs[-1].id if more else None)


def counts(session: Session, subscription_ids: list[int]) -> dict[int, dict[str, int]]:
    """Deliveries by status of each subscription, in one grouped read."""
    found: dict[int, dict[str, int]] = {i: dict.fromkeys(DELIVERY_STATUSES, 0)
                                        for i in subscription_ids}
    if subscription_ids:
        for sub_id, status, n in session.execute(
                select(WebhookDelivery.subscription_id, WebhookDelivery.status, func.count())
                .where(WebhookDelivery.subscription_id.in_(subscription_ids))
                .group_by(WebhookDelivery.subscription_id, WebhookDelivery.status)):
            found[sub_id][status] = n
    return found


def deliveries(session: Session, sub: WebhookSubscription, *, status: str | None,
               before: int | None, limit: int) -> tuple[list[WebhookDelivery], int | None]:
    """A subscription's deliveries, newest first (status=dead: the dead-letter list)."""
    if status is not None and status not in DELIVERY_STATUSES:
        raise InvalidInput(f"one of {', '.join(DELIVERY_STATUSES)}", field="status")
    query = (select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id)
             .order_by(WebhookDelivery.id.desc()).limit(limit + 1))
    if status:
        query = query.where(WebhookDelivery.status == status)
    if before:
        query = query.where(WebhookDelivery.id < before)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    return rows[:limit], (rows[limit - 1].id if more else None)


def attempts(session: Session, sub: WebhookSubscription, *, before: int | None, limit: int,
             delivery_id: int | None = None) -> tuple[list[WebhookAttempt], int | None]:
    """The delivery log: every attempt, newest first."""
    query = (select(WebhookAttempt).where(WebhookAttempt.subscription_id == sub.id)
             .order_by(WebhookAttempt.id.desc()).limit(limit + 1))
    if delivery_id is not None:
        query = query.where(WebhookAttempt.delivery_id == delivery_id)
    if before:
        query = query.where(WebhookAttempt.id < before)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    return rows[:limit], (rows[limit - 1].id if more else None)


def replay(session: Session, sub: WebhookSubscription, *, delivery_ids: list[int] | None,
           actor: Actor, now: datetime) -> int:
    """Dead letters back to pending, due now, with a fresh allowance of attempts; the same
    event id, so a receiver that did process one drops the repeat. ``None``: all of them."""
    if not sub.active:
        raise Conflict(f"subscription {sub.id} is inactive; activate it before replaying",
                       field="active", current=False)
    where = [WebhookDelivery.subscription_id == sub.id, WebhookDelivery.status == "dead"]
    if delivery_ids is not None:
        if not delivery_ids:
            raise InvalidInput("name at least one delivery, or replay all", field="delivery_ids")
        where.append(WebhookDelivery.id.in_(delivery_ids))
        found = set(session.scalars(select(WebhookDelivery.id).where(*where)))
        missing = sorted(set(delivery_ids) - found)
        if missing:
            raise InvalidInput(f"not dead letters of subscription {sub.id}: "
                               f"{', '.join(map(str, missing))}", field="delivery_ids")
    replayed = session.execute(
        update(WebhookDelivery).where(*where).values(
            status="pending", attempts=0, next_attempt_at=now, dead_at=None, claimed_by=None,
            replays=WebhookDelivery.replays + 1)
        .execution_options(synchronize_session=False)).rowcount
    record(session, kind="webhook.replayed", category="audit", actor=actor, chain_key=CHAIN,
           at=now, payload={"subscription_id": sub.id, "deliveries": replayed,
                            "which": "all dead letters" if delivery_ids is None
                            else sorted(delivery_ids)})
    return replayed
