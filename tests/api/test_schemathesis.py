"""Schemathesis generates requests from /openapi.json for every operation and checks that the
desk never answers 5xx and never breaks its own documented response schemas.

Positive and negative (schema-violating) requests, bounded to SCHEMATHESIS_EXAMPLES per
operation and mode (default 12) so the suite stays within CI's time; raise it for a deeper run.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from integrity_desk.api.app import create_app
from integrity_desk.config import Settings
from integrity_desk.db import Database
from tests import factories

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))


def test_no_server_error_and_no_broken_schema(db: Database, make_person: Any) -> None:
    # Thousands of requests from one token in a minute: limits raised, they are not the point.
    app = create_app(db, Settings(secret_key="test-secret",
                                  rate_limit_per_token="1000000/minute",
                                  rate_limit_per_address="1000000/minute"))
    admin = make_person("admin")
    with TestClient(app) as c:  # a few real cases, so that generated lookups sometimes hit
        for body in (factories.flag("r1"), factories.csm(), factories.legal()):
            assert c.post("/api/v1/cases", json=body, headers=admin.headers).status_code < 300
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def check(case: Any) -> None:
                case.call_and_validate(headers=admin.headers,
                                       checks=[not_a_server_error, response_schema_conformance])

            try:
                check()
            except Unsatisfiable:
                # No parameters and no body: nothing a negative request could get wrong.
                assert mode == GenerationMode.NEGATIVE, operation.label
