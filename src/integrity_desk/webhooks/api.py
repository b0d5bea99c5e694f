"""Webhook subscriptions over HTTP: managers and admins only (they see what leaves the desk)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from integrity_desk.api.deps import SessionDep, WebhookManager
from integrity_desk.api.paging import IdCursor, RowId
from integrity_desk.db import utcnow
from integrity_desk.webhooks import service
from integrity_desk.webhooks.models import WebhookDelivery, WebhookSubscription
from integrity_desk.webhooks.schemas import (
    AttemptOut,
    AttemptPage,
    DeliveryOut,
    DeliveryPage,
    ReplayIn,
    ReplayOut,
    SecretOut,
    SubscriptionChange,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPage,
)

router = APIRouter(tags=["webhooks"])
Limit = Annotated[int, Query(ge=1, le=200)]


def _out(sub: WebhookSubscription, counts: dict[str, int] | None = None) -> dict[str, Any]:
    return dict(id=sub.id, name=sub.name, url=sub.url, event_types=sub.event_types,
                active=sub.active, secret_hint=sub.secret_hint,
                previous_secret_expires_at=sub.previous_secret_expires_at,
                created_at=sub.created_at, updated_at=sub.updated_at, deliveries=counts)


@router.get("/webhooks", response_model=SubscriptionPage)
def list_subscriptions(session: SessionDep, principal: WebhookManager,
                       cursor: IdCursor = None, limit: Limit = 50) -> SubscriptionPage:
    rows, nxt = service.listing(session, after=cursor, limit=limit)
    return SubscriptionPage(items=[SubscriptionOut(**_out(s, c)) for s, c in rows],
                            next_cursor=nxt)


@router.post("/webhooks", response_model=SubscriptionCreated, status_code=201)
def create_subscription(body: SubscriptionIn, request: Request, session: SessionDep,
                        principal: WebhookManager) -> SubscriptionCreated:
    made = service.create(session, name=body.name, url=body.url,
                          event_types=[t.value for t in body.event_types], active=body.active,
                          user_id=principal.user.id, actor=principal.actor, now=utcnow(),
                          settings=request.app.state.settings)
    return SubscriptionCreated(**_out(made.subscription), secret=made.secret)


@router.get("/webhooks/{subscription_id}", response_model=SubscriptionOut)
def get_subscription(subscription_id: RowId, session: SessionDep,
                     principal: WebhookManager) -> SubscriptionOut:
    return SubscriptionOut(**_out(service.get(session, subscription_id)))


@router.patch("/webhooks/{subscription_id}", response_model=SubscriptionOut)
def change_subscription(subscription_id: RowId, body: SubscriptionChange, request: Request,
                        session: SessionDep, principal: WebhookManager) -> SubscriptionOut:
    sub = service.get(session, subscription_id)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True, mode="json").items()
               if v is not None}  # null means "leave as it is"
    service.change(session, sub, changes=changes, actor=principal.actor, now=utcnow(),
                   settings=request.app.state.settings)
    return SubscriptionOut(**_out(sub))


@router.post("/webhooks/{subscription_id}/rotate-secret", response_model=SecretOut)
def rotate_secret(subscription_id: RowId, request: Request, session: SessionDep,
                  principal: WebhookManager) -> SecretOut:
    sub = service.get(session, subscription_id)
    secret = service.rotate_secret(session, sub, actor=principal.actor, now=utcnow(),
                                   settings=request.app.state.settings)
    return SecretOut(secret=secret, secret_hint=sub.secret_hint,
                     previous_secret_expires_at=sub.previous_secret_expires_at)


@router.get("/webhooks/{subscription_id}/deliveries", response_model=DeliveryPage,
            summary="Deliveries newest first; status=dead is the dead-letter list")
def list_deliveries(subscription_id: RowId, session: SessionDep, principal: WebhookManager,
                    status: str | None = None, cursor: IdCursor = None,
                    limit: Limit = 50) -> DeliveryPage:
    sub = service.get(session, subscription_id)
    rows, nxt = service.deliveries(session, sub, status=status, before=cursor, limit=limit)
    return DeliveryPage(items=[_delivery(d) for d in rows], next_cursor=nxt)


def _delivery(d: WebhookDelivery) -> DeliveryOut:
    out = DeliveryOut.model_validate(d)
    if d.status != "pending":
        out.next_attempt_at = None
    return out


@router.get("/webhooks/{subscription_id}/attempts", response_model=AttemptPage,
            summary="The delivery log: every attempt, newest first")
def list_attempts(subscription_id: RowId, session: SessionDep, principal: WebhookManager,
                  delivery: Annotated[int | None, Query(ge=1)] = None,
                  cursor: IdCursor = None, limit: Limit = 50) -> AttemptPage:
    sub = service.get(session, subscription_id)
    rows, nxt = service.attempts(session, sub, before=cursor, limit=limit,
                                 delivery_id=delivery)
    return AttemptPage(items=[AttemptOut.model_validate(a) for a in rows], next_cursor=nxt)


@router.post("/webhooks/{subscription_id}/replay", response_model=ReplayOut)
def replay(subscription_id: RowId, body: ReplayIn, session: SessionDep,
           principal: WebhookManager) -> ReplayOut:
    sub = service.get(session, subscription_id)
    n = service.replay(session, sub, delivery_ids=body.delivery_ids, actor=principal.actor,
                       now=utcnow())
    return ReplayOut(replayed=n)


