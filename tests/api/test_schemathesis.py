"""Schemathesis generates requests from /openapi.json for every operation and checks that the
desk never answers 5xx and never breaks its own documented response schemas, with a valid
token of every role (issue 16): what a viewer or a vendor's agent is refused must be refused
cleanly, and what they may do must answer as documented.

The admin reaches the most code, so it gets SCHEMATHESIS_EXAMPLES positive and as many negative
(schema-violating) requests per operation (default 12). Every other role gets
SCHEMATHESIS_ROLE_EXAMPLES positive ones (default 10) and no negative ones: the desk validates
a request before any role-dependent code runs (and refuses a role an operation does not allow
before that), so negative requests would only repeat the admin's run, at the highest price —
Schemathesis discards every negative draw that violates nothing, thousands for the operations
whose only parameter is a free-form key. Shrinking is off: a failure's message already carries
a curl line that reproduces it, and shrinking a 5xx can take minutes. The schema is loaded with
the role's token, since /openapi.json needs authentication like every other route.

Measured on the shared 2-core machine (`pytest tests/api/test_schemathesis.py -n 2`, two other
engineers' tests beside it): at load average ~2.5, SQLite 75 s of test time (admin 30 s, the six
other roles 45 s) and PostgreSQL 64 s (admin 24 s, others 40 s), 1 min 23 s of wall time; at
load ~5, SQLite 96 s and PostgreSQL 124 s, 2 min 4 s of wall time. Before the roles' negative
requests were dropped the same run took over 4 minutes. Raise the variables for a deeper run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from integrity_desk.api.app import create_app
from integrity_desk.db import Database
from integrity_desk.people.models import Role, Team
from integrity_desk.settings import Settings
from tests import factories
from tests.conftest import Person

ADMIN_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
ROLE_EXAMPLES = int(os.environ.get("SCHEMATHESIS_ROLE_EXAMPLES", "10"))
ROLES = [role.value for role in Role]


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> bytes:
    """The import API's body (POST /imports/{kind}): generated text goes as it is, one line
    or many; anything else as one JSON line."""
    if isinstance(value, bytes):
        return value
    return value.encode() if isinstance(value, str) else (json.dumps(value) + "\n").encode()



def _modes(role: str) -> list[tuple[GenerationMode, int]]:
    if role == Role.ADMIN:
        return [(GenerationMode.POSITIVE, ADMIN_EXAMPLES),
                (GenerationMode.NEGATIVE, ADMIN_EXAMPLES)]
    return [(GenerationMode.POSITIVE, ROLE_EXAMPLES)]


def _app(db: Database) -> FastAPI:
    # Thousands of requests from one token in a minute: limits raised, they are not the point.
    return create_app(db, Settings(secret_key="test-secret",
                                   rate_limit_per_token="1000000/minute",
                                   rate_limit_per_address="1000000/minute"))


def _failures(app: FastAPI, caller: Person, modes: list[tuple[GenerationMode, int]],
              path: str | None = None) -> list[str]:
    """Run every operation (or those under `path`) in each mode; every failure in one list
    rather than the first alone, each with the curl line Schemathesis gives to replay it."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=caller.headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    if path is not None:
        operations = [op for op in operations if op.path.startswith(path)]
    assert len(operations) > (0 if path else 20)
    failures: list[str] = []
    for operation in operations:
        for mode, examples in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=examples, deadline=None, derandomize=True,
                      database=None, phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            def check(case: Any) -> None:
                case.call_and_validate(headers=caller.headers,
                                       checks=[not_a_server_error, response_schema_conformance])

            try:
                check()
            except Unsatisfiable:
                # No parameters and no body: nothing a negative request could get wrong.
                assert mode == GenerationMode.NEGATIVE, operation.label
            except (Exception, FailureGroup) as exc:  # FailureGroup is no Exception
                # A crash comes as itself (the in-process client re-raises it), a broken
                # answer as Schemathesis' FailureGroup; the notes carry the curl to replay it.
                notes = "\n".join(getattr(exc, "__notes__", []))
                failures.append(f"{operation.label} [{mode.value}]: {type(exc).__name__}: "
                                f"{exc}\n{notes}"[:4000])
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_and_no_broken_schema(
        role: str, db: Database, make_person: Callable[..., Person],
        make_team: Callable[..., Team]) -> None:
    app = _app(db)
    admin = make_person("admin")
    # An agent works for a vendor: its isolation rules are what a generated request must meet.
    caller = admin if role == Role.ADMIN else make_person(
        role, team=make_team("Vendor A", kind="vendor") if role == Role.AGENT else None)
    with TestClient(app) as c:  # a few real cases, so that generated lookups sometimes hit
        for body in (factories.flag("r1"), factories.csm(), factories.legal()):
            assert c.post("/api/v1/cases", json=body, headers=admin.headers).status_code < 300
    failures = _failures(app, caller, _modes(role))
    assert not failures, f"{len(failures)} failing on {db.dialect} as {role}:\n\n" + (
        "\n\n".join(failures))


def test_the_run_reports_a_server_error_and_a_broken_schema(
        db: Database, make_person: Callable[..., Person]) -> None:
    """The harness itself: a route that crashes on some input, and one that answers other than
    it documents, must both land in the failures (a run that passes silently proves nothing)."""
    app = _app(db)

    @app.get("/api/v1/probe/crash", response_model=dict[str, int])
    def crash(n: int) -> dict[str, int]:
        if n > 5:
            raise RuntimeError("a crash the run must find")
        return {"n": n}

    @app.get("/api/v1/probe/schema", response_model=dict[str, int])
    def broken(n: int) -> JSONResponse:
        return JSONResponse({"n": "not a number"})  # a response FastAPI does not validate

    failures = _failures(app, make_person("viewer"), [(GenerationMode.POSITIVE, 25)],
                         path="/api/v1/probe/")
    assert len(failures) == 2, failures
    crashed, broke = sorted(failures)
    assert crashed.startswith("GET /api/v1/probe/crash [positive]: RuntimeError"), crashed
    assert "curl -X GET" in crashed and "/api/v1/probe/crash?n=" in crashed, crashed  # replay
    assert broke.startswith("GET /api/v1/probe/schema") and "schema" in broke.lower(), broke
