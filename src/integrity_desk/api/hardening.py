"""What every response carries and every request passes before it reaches a route: security
headers, rate limits, body size limits, and the floor under every field (no integer beyond 64
bits, no NUL, no deep nesting).

All plain ASGI middleware: the ``BaseHTTPMiddleware`` wrapper would add a task and a stream copy
to every request on the hot intake path.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate
from typing import Annotated, Any, get_args, get_origin
from urllib.parse import parse_qsl

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from integrity_desk.errors import InvalidInput
from integrity_desk.inputs import (
    INT64_MAX,
    INT64_MIN,
    MAX_JSON_DEPTH,
    InputRefused,
    check_json,
)

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
        self.limit = limit


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


# Byte scans (C speed: translate and substring tests) clear almost every body without a parse:
# a NUL escape, a run of 19 digits or more, an exponent of two digits, NaN or Infinity (which
# Python's parser takes), or brackets nested too deep send it to the full check.
_NUL_ESCAPE = b"\\u0000"
# Digits become 0, exponent marks e, signs +, every other byte a space: number shapes remain.
_NUMBER_SHAPES = bytes(
    ord("0") if 48 <= b <= 57 else ord("e") if b in b"eE" else ord("+") if b in b"+-"
    else ord(" ") for b in range(256))
_LONG_NUMBERS = (b"0" * 19, b"0e00", b"0e+00")
_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')


def check_json_bytes(body: bytes, *, items: str | None = None) -> bool:
    """check_json on a raw body, parsed only when a byte scan finds something to look at.
    A body that is not JSON at all is left to the route, which says so in its own words.

    ``items`` names a list of a batch envelope whose elements the route judges one by one,
    answering each in its place: only the rest of the envelope is checked here. True when the
    byte scan alone cleared the whole body, items included (the route need not look again).
    """
    if not (_NUL_ESCAPE in body or b"NaN" in body or b"Infinity" in body
            or _has_long_number(body) or _nesting(body) > MAX_JSON_DEPTH):
        return True
    try:
        value = json.loads(body)
    except RecursionError:
        raise InputRefused("body", f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:
        return False
    if items is not None and isinstance(value, dict) and isinstance(value.get(items), list):
        value = {key: v for key, v in value.items() if key != items}
    check_json(value)
    return False


def _has_long_number(body: bytes) -> bool:
    """Whether the body may hold an integer of 19 digits or more, or an exponent of two digits
    (inside strings too: those only cost a parse)."""
    shapes = body.translate(_NUMBER_SHAPES)
    return any(shape in shapes for shape in _LONG_NUMBERS)


def _nesting(body: bytes) -> int:
    """How deep the brackets of a body nest, strings left out. Escaped backslashes and quotes
    go first, so every quote left opens or closes a string; the brackets between pairs of
    quotes are text."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return 0
    skeleton = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _STRUCTURE)
    brackets = b"".join(skeleton.split(b'"')[::2])
    return max(accumulate(1 if b in b"[{" else -1 for b in brackets), default=0)


def check_query(query_string: bytes) -> None:
    """A NUL in a query parameter reaches no route: PostgreSQL cannot store or compare it and
    SQLite can, so the two databases would answer differently."""
    if b"%00" not in query_string and b"\x00" not in query_string:
        return
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            raise InputRefused(name.replace("\x00", "") or "query", "holds a NUL character")


INPUT_CLEARED = "input_cleared"


class InputGuard:
    """Refuse, before any route, the values no route can take safely (see ``check_json``).

    Route schemas bound their own fields more tightly; this is the floor under all of them, so
    that a field someone forgets to bound answers 422 rather than a crash on one database and a
    different answer on the other. Only JSON bodies and query strings under ``prefix`` are read.
    ``item_lists`` maps a batch route to the list whose items it answers one by one (a NUL in one
    item is that item's error there, not the whole batch's).
    """

    def __init__(self, app: ASGIApp, *, prefix: str = "/api/",
                 item_lists: Mapping[str, str] | None = None) -> None:
        self.app, self.prefix, self.item_lists = app, prefix, dict(item_lists or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        try:
            if "\x00" in scope["path"]:
                raise InputRefused("path", "holds a NUL character")
            check_query(scope.get("query_string", b""))
        except InputRefused as refused:
            await _invalid(send, refused)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE") or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        try:
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request" or not message.get("more_body"):
                    break
        except BodyTooLarge as exc:
            await _too_large(send, exc.limit)
            return
        try:
            cleared = check_json_bytes(b"".join(m.get("body", b"") for m in messages),
                                       items=self.item_lists.get(scope["path"]))
        except InputRefused as refused:
            await _invalid(send, refused)
            return
        if cleared:
            # request.state.input_cleared: a batch route may skip its own per-item check.
            scope.setdefault("state", {})[INPUT_CLEARED] = True

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


async def _invalid(send: Send, refused: InputRefused) -> None:
    await _json(send, 422, {"code": "invalid", "field": refused.field,
                            "message": f"{refused.field}: {refused.message}",
                            "errors": [{"field": refused.field, "message": refused.message}]})


def _integer_params(route: Any) -> list[tuple[str, str, bool]]:
    """(name, "query" or "path", is_list) of every integer parameter a route takes, its
    dependencies' included; worked out once per route."""
    found: list[tuple[str, str, bool]] | None = getattr(route, "_desk_integer_params", None)
    if found is None:
        found = []
        pending = [route.dependant]
        while pending:
            dependant = pending.pop()
            pending.extend(dependant.dependencies)
            for where, params in (("query", dependant.query_params),
                                  ("path", dependant.path_params)):
                for param in params:
                    kind = _is_int(param.field_info.annotation, lists=True)
                    if kind:
                        found.append((param.alias, where, kind == "list"))
        route._desk_integer_params = found  # routes are not hashable: kept on the route
    return found


def _is_int(annotation: Any, *, lists: bool) -> str | None:
    if annotation is int:
        return "int"
    args = [a for a in get_args(annotation) if a is not type(None)]
    origin = get_origin(annotation)
    if origin in (list, set, tuple, Sequence) and lists:
        return "list" if any(_is_int(a, lists=False) for a in args) else None
    if origin is Annotated:
        return _is_int(args[0], lists=lists)
    if args and origin not in (list, set, tuple, dict, Sequence):  # Optional, unions
        for a in args:
            kind = _is_int(a, lists=lists)
            if kind:
                return kind
    return None


async def bounded_params(request: Request) -> None:
    """A dependency of every API route: integer query and path parameters beyond signed 64
    bits answer 422 naming the parameter, whatever bounds the route itself forgot."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    for name, where, is_list in _integer_params(route):
        if where == "path":
            values = [str(request.path_params.get(name, ""))]
        else:
            values = request.query_params.getlist(name) if is_list else [
                request.query_params.get(name, "")]
        for raw in values:
            try:
                number = int(raw.strip())
            except ValueError:
                continue  # not an integer: the route's own validation says so
            if not INT64_MIN <= number <= INT64_MAX:
                raise InvalidInput(f"{name}: integer outside the signed 64-bit range",
                                   field=name)
