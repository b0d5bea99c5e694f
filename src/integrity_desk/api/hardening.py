"""What every response carries and every request passes before it reaches a route: security
headers, rate limits and body size limits.

All plain ASGI middleware: the ``BaseHTTPMiddleware`` wrapper would add a task and a stream copy
to every request on the hot intake path.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Iterable, Mapping

from limits import RateLimitItem, parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style, nothing from another origin, never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# API answers hold personal data and case facts: no shared or browser cache keeps them.
_NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(_HEADERS)
        if scope.get("scheme") == "https":
            extra.append(_HSTS)
        if scope["path"].startswith("/api/"):
            extra.append(_NO_STORE)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RateLimits:
    """Per API token and per client address, in a sliding window.

    The counters live in the storage named by a URL: ``memory://`` counts per server process
    (enough for one machine), ``redis://host:6379`` shares them between every process and
    server of a scaled-out desk. Unauthenticated callers are limited by address alone.
    """

    def __init__(self, app: ASGIApp, *, per_token: str, per_address: str, storage: str,
                 exempt: Iterable[str] = ("/healthz", "/static/")) -> None:
        self.app = app
        self.per_token: RateLimitItem = parse(per_token)
        self.per_address: RateLimitItem = parse(per_address)
        if not storage.startswith("async+"):
            storage = "async+" + storage
        # redis-py's asyncio client (a dependency already), not limits' default coredis.
        options = {"implementation": "redispy"} if "redis" in storage.partition(":")[0] else {}
        self.limiter = SlidingWindowCounterRateLimiter(storage_from_string(storage, **options))
        self.exempt = tuple(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        checks: list[tuple[RateLimitItem, str]] = []
        token = _bearer(scope)
        if token:
            checks.append((self.per_token, "token:" + hashlib.sha256(token).hexdigest()[:32]))
        client = scope.get("client")
        checks.append((self.per_address, "address:" + (client[0] if client else "unknown")))
        for item, key in checks:
            if not await self.limiter.hit(item, key):
                stats = await self.limiter.get_window_stats(item, key)
                await _too_many(send, max(1, math.ceil(stats.reset_time - time.time())),
                                key.partition(":")[0])
                return
        await self.app(scope, receive, send)


def _bearer(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, secret = value.partition(b" ")
            if scheme.lower() != b"bearer":
                return None
            return secret.strip() or None
    return None


async def _too_many(send: Send, retry_after: int, limited_by: str) -> None:
    await _json(send, 429, {
        "code": "rate_limited", "retry_after": retry_after,
        "message": f"too many requests from this {limited_by}; retry in {retry_after} s",
    }, [(b"retry-after", str(retry_after).encode())])


async def _json(send: Send, status: int, error: dict[str, object],
                headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """An error answer in the app's one format, for middleware that answers before the app."""
    body = json.dumps({"error": error}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        *(headers or []),
    ]})
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over the limit of {limit:,} bytes")


class BodyLimits:
    """Refuse bodies over a size: at once by Content-Length, or while a chunked body streams.

    Raised from inside the app's own read of the body, the 413 goes through the app's error
    handlers and answers in the same JSON format as every other error.
    """

    def __init__(self, app: ASGIApp, *, default: int, routes: Mapping[str, int]) -> None:
        self.app, self.default, self.routes = app, default, dict(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.routes.get(scope["path"], self.default)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _too_large(send, limit)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


async def _too_large(send: Send, limit: int) -> None:
    await _json(send, 413, {"code": "too_large", "field": "body",
                            "message": f"the request body is over the limit of {limit:,} bytes"})
