"""HTTP client of the Commission's DSA Transparency Database API (``/api/v1``).

It reports what the server answered and never decides what to do about it: the submitter
(``submission.py``) owns back-off, splitting and parking, so the client stays a thin, honest
transport that a test can point at a local server implementing the same contract.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

EXCERPT = 2000  # characters of a response body kept in the submission log


@dataclass(frozen=True)
class Answer:
    """One response, or the transport error that stood in for it (``status`` None)."""

    status: int | None
    body: Any = None
    text: str = ""
    retry_after: float | None = None
    error: str | None = None

    @property
    def excerpt(self) -> str:
        return (self.error or self.text)[:EXCERPT]


class TransparencyClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not base_url:
            raise ValueError("the Transparency Database URL is not configured "
                             "(IDESK_DSA_API_URL)")
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport,
            follow_redirects=False,  # existing-puid answers 302 for "found"
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                     "Content-Type": "application/json", "User-Agent": "integrity-desk"})

    def submit(self, statements: Sequence[Mapping[str, Any]]) -> Answer:
        """``POST /api/v1/statements`` with 1 to 100 statements (all or none are stored)."""
        body = json.dumps({"statements": list(statements)}, ensure_ascii=False,
                          separators=(",", ":"))
        return self._call("POST", "/api/v1/statements", content=body.encode())

    def puid_exists(self, puid: str) -> Answer:
        """``GET /api/v1/statement/existing-puid/{puid}``: 302 found, 404 not."""
        return self._call("GET", f"/api/v1/statement/existing-puid/{quote(puid, safe='')}")

    def _call(self, method: str, path: str, **kwargs: Any) -> Answer:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            return Answer(None, error=f"{type(exc).__name__}: {exc}")
        try:
            body = response.json()
        except ValueError:
            body = None
        return Answer(response.status_code, body, response.text,
                      retry_after_seconds(response.headers.get("Retry-After")))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TransparencyClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds, whether given as a number or as an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
