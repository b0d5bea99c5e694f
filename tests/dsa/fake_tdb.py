"""A local DSA Transparency Database: the published ``/api/v1`` contract over real HTTP.

Its validation is written apart from the desk's validator, on purpose: it transcribes the
Commission's ``multi_rules()`` as Laravel rule strings and interprets them, so a shared
mistake in our domain code does not pass both. Only the value lists are read from the schema
file. What it implements:

* Bearer auth (401 ``{"message": "Unauthenticated."}``);
* ``POST /api/v1/statements``: 1–100 statements, all or nothing; invalid ones → 422
  ``{"errors": {"statement_<i>": {field: [messages]}}}``; a puid seen before or twice in one
  call → 422 ``{"message": …, "errors": {"puid": [...], "existing_puids": [...]}}``; else 201
  with the stored statements (uuid, created_at, platform_name);
* ``GET /api/v1/statement/existing-puid/{puid}`` → 302 / 404;
* ``fail_next(status, times, retry_after)`` answers 429 (with Retry-After) or 5xx first.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

_SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "src" / "integrity_desk" / "dsa"
                      / "sor_schema.json").read_text())["fields"]


def _in(field: str, nullable: bool = False) -> str:
    return ("in:null," if nullable else "in:") + ",".join(_SCHEMA[field]["enum"])


_DATE = "date_format:Y-m-d"
# GroupedSubmissionsService::multi_rules(), as written by the Commission.
RULES: dict[str, list[str]] = {
    "decision_visibility": ["array", _in("decision_visibility", True),
                            "required_without_all:decision_monetary,decision_provision,"
                            "decision_account", "nullable"],
    "decision_visibility_other": ["max:500", "required_with_value:decision_visibility,"
                                  "DECISION_VISIBILITY_OTHER"],
    "decision_monetary": [_in("decision_monetary", True), "required_without_all:"
                          "decision_visibility,decision_provision,decision_account", "nullable"],
    "decision_monetary_other": ["required_if:decision_monetary,DECISION_MONETARY_OTHER",
                                "max:500"],
    "decision_provision": [_in("decision_provision", True), "required_without_all:"
                           "decision_visibility,decision_monetary,decision_account", "nullable"],
    "decision_account": [_in("decision_account", True), "required_without_all:"
                         "decision_visibility,decision_monetary,decision_provision", "nullable"],
    "account_type": [_in("account_type", True), "nullable"],
    "category_specification": ["array", _in("category_specification", True), "nullable"],
    "category_specification_other": ["max:500"],
    "decision_ground": ["required", _in("decision_ground")],
    "decision_ground_reference_url": ["url", "nullable", "max:500"],
    "illegal_content_legal_ground": ["required_if:decision_ground,"
                                     "DECISION_GROUND_ILLEGAL_CONTENT", "max:500"],
    "illegal_content_explanation": ["required_if:decision_ground,"
                                    "DECISION_GROUND_ILLEGAL_CONTENT", "max:2000"],
    "incompatible_content_ground": ["required_if:decision_ground,"
                                    "DECISION_GROUND_INCOMPATIBLE_CONTENT", "max:500"],
    "incompatible_content_explanation": ["required_if:decision_ground,"
                                         "DECISION_GROUND_INCOMPATIBLE_CONTENT", "max:2000"],
    "incompatible_content_illegal": ["in:Yes,No"],
    "content_type": ["array", "required", _in("content_type")],
    "content_type_other": ["max:500", "required_with_value:content_type,CONTENT_TYPE_OTHER"],
    "category": ["required", _in("category")],
    "category_addition": ["array", _in("category_addition")],
    "territorial_scope": ["array", "nullable", _in("territorial_scope")],
    "content_language": [_in("content_language"), "nullable"],
    "content_date": ["required", _DATE, "after_or_equal:2000-01-01",
                     "before_or_equal:2038-01-01"],
    "application_date": ["required", _DATE, "after_or_equal:2020-01-01",
                         "before_or_equal:2038-01-01"],
    "end_date_account_restriction": [_DATE, "nullable", "before_or_equal:2038-01-01"],
    "end_date_monetary_restriction": [_DATE, "nullable", "before_or_equal:2038-01-01"],
    "end_date_service_restriction": [_DATE, "nullable", "before_or_equal:2038-01-01"],
    "end_date_visibility_restriction": [_DATE, "nullable", "before_or_equal:2038-01-01"],
    "decision_facts": ["required", "max:5000"],
    "source_type": ["required", _in("source_type")],
    "source_identity": ["max:500", "nullable"],
    "automated_detection": ["required", "in:Yes,No"],
    "automated_decision": ["required", _in("automated_decision")],
    "puid": ["required", "max:500", r"regex:/^[a-zA-Z0-9-_]+$/D"],
}


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list | dict):
        return len(value) > 0
    return True


def _human(name: str) -> str:
    return name.replace("_", " ")


def laravel_validate(data: dict[str, Any]) -> dict[str, list[str]]:
    """Laravel's semantics, as far as these rules use them: required rules run on absent
    fields, other rules only on present ones, ``nullable`` lets null through."""
    errors: dict[str, list[str]] = {}
    for name, rules in RULES.items():
        value = data.get(name)
        present = name in data
        failed: list[str] = []
        for rule in rules:
            kind, _, arg = rule.partition(":")
            if kind == "required" and not _filled(value):
                failed.append(f"The {_human(name)} field is required.")
            elif kind == "required_if":
                other, wanted = arg.split(",", 1)
                if data.get(other) == wanted and not _filled(value):
                    failed.append(f"The {_human(name)} field is required when {_human(other)} "
                                  f"is {wanted}.")
            elif kind == "required_with_value":
                other, wanted = arg.split(",", 1)
                if wanted in (data.get(other) or []) and not _filled(value):
                    failed.append(f"The {_human(name)} field is required.")
            elif kind == "required_without_all" and not _filled(value) and not any(
                    _filled(data.get(o)) for o in arg.split(",")):
                failed.append(f"The {_human(name)} field is required when none of "
                              f"{', '.join(_human(o) for o in arg.split(','))} are present.")
        if present and not (value is None and "nullable" in rules):
            failed += _value_rules(name, value, rules)
        if failed:
            errors[name] = failed
    return errors


def _value_rules(name: str, value: Any, rules: list[str]) -> list[str]:
    out: list[str] = []
    for rule in rules:
        kind, _, arg = rule.partition(":")
        if kind == "array" and not isinstance(value, list):
            out.append(f"The {_human(name)} field must be an array.")
        elif kind == "in":
            allowed = arg.split(",")
            items = value if isinstance(value, list) else [value]
            if any(not isinstance(v, str) or v not in allowed for v in items):
                out.append(f"The selected {_human(name)} is invalid.")
        elif kind == "max" and isinstance(value, str) and len(value) > int(arg):
            out.append(f"The {_human(name)} field must not be greater than {arg} characters.")
        elif kind == "regex" and not (isinstance(value, str)
                                      and re.fullmatch(r"[a-zA-Z0-9_-]+", value)):
            out.append(f"The {_human(name)} field format is invalid.")
        elif kind == "url" and not (isinstance(value, str)
                                    and re.match(r"^https?://[^\s/]+", value)):
            out.append(f"The {_human(name)} field must be a valid URL.")
        elif kind == "date_format":
            if not _parse_day(value):
                out.append(f"The {_human(name)} does not match the format YYYY-MM-DD.")
        elif kind in ("after_or_equal", "before_or_equal") and (day := _parse_day(value)):
            limit = date.fromisoformat(arg)
            if (kind == "after_or_equal" and day < limit) or \
                    (kind == "before_or_equal" and day > limit):
                word = "after" if kind == "after_or_equal" else "before"
                out.append(f"The {_human(name)} field must be a date {word} or equal to {arg}.")
    return out


def _parse_day(value: Any) -> date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@dataclass
class FakeTransparencyDatabase:
    token: str = "tdb-test-token"
    platform_name: str = "Reviews (test)"
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str, int, int]] = field(default_factory=list)  # method, path, n, status
    failures: list[tuple[int, float | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None) -> None:
        with self.lock:
            self.failures += [(status, retry_after)] * times

    def reset(self) -> None:
        with self.lock:
            self.stored.clear()
            self.calls.clear()
            self.failures.clear()

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/api/v1/statements", self._store_many, methods=["POST"]),
            Route("/api/v1/statement/existing-puid/{puid}", self._existing, methods=["GET"]),
        ])

    def _gate(self, request: Request) -> JSONResponse | None:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"message": "Unauthenticated."}, status_code=401)
        with self.lock:
            if self.failures:
                status, retry_after = self.failures.pop(0)
                headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
                message = {429: "Limit Reached. Please do not overload the API",
                           422: "The given data was invalid."}.get(status, "Server Error")
                return JSONResponse({"message": message}, status_code=status, headers=headers)
        return None

    async def _store_many(self, request: Request) -> JSONResponse:
        answer = self._gate(request)
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        statements = payload.get("statements") if isinstance(payload, dict) else None
        count = len(statements) if isinstance(statements, list) else 0
        if answer is None:
            answer = self._store(statements)
        self.calls.append(("POST", "/api/v1/statements", count, answer.status_code))
        return answer

    def _store(self, statements: Any) -> JSONResponse:
        if not isinstance(statements, list) or not 1 <= len(statements) <= 100:
            return JSONResponse({"message": "The statements field must have between 1 and 100 "
                                 "items.", "errors": {"statements": [
                                     "The statements field must have between 1 and 100 items."]}},
                                status_code=422)
        errors = {}
        for index, statement in enumerate(statements):
            problems = laravel_validate(statement if isinstance(statement, dict) else {})
            if problems:
                errors[f"statement_{index}"] = problems
        if errors:
            return JSONResponse({"errors": errors}, status_code=422)
        puids = [s["puid"] for s in statements]
        with self.lock:
            duplicates = sorted({p for p in puids if p in self.stored or puids.count(p) > 1})
            if duplicates:
                message = "The platform identifier(s) are not all unique within this call."
                return JSONResponse({"message": message, "errors": {
                    "puid": [message], "existing_puids": duplicates}}, status_code=422)
            now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
            out = []
            for statement in statements:
                stored = dict(statement, uuid=str(uuid.uuid4()), created_at=now,
                              platform_name=self.platform_name)
                self.stored[statement["puid"]] = stored
                out.append(stored)
        return JSONResponse({"statements": out}, status_code=201)

    async def _existing(self, request: Request) -> JSONResponse:
        answer = self._gate(request)
        puid = request.path_params["puid"]
        if answer is None:
            found = puid in self.stored
            answer = JSONResponse({"message": f"statement of reason {'' if found else 'not '}"
                                   "found", "puid": puid}, status_code=302 if found else 404)
        self.calls.append(("GET", "/api/v1/statement/existing-puid", 1, answer.status_code))
        return answer


@contextmanager
def serve(fake: FakeTransparencyDatabase) -> Iterator[str]:
    """Run ``fake`` with uvicorn on a free local port; yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the local Transparency Database did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
