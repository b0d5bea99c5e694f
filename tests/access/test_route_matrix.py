"""Every route of the OpenAPI document, for every role: let in or refused as docs/access.md says.

A new route fails here until it is given a row in ROUTES *and* guards itself with the same
action (``api.deps.allow``); the rows are checked against the routes in both directions.
The console's pages (not in the OpenAPI document) have their own table, PAGES, guarded by
``web.deps.page``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from integrity_desk.access.domain import ADMIN_SCOPED, MATRIX, Action, matrix_markdown
from integrity_desk.people.models import Role
from tests.conftest import Browser, Person
from tests.helpers import api_routes

A = Action
ROUTES: dict[tuple[str, str], Action] = {
    ("GET", "/api/v1/cases"): A.CASE_READ,
    ("GET", "/api/v1/kpis"): A.KPI_READ,
    ("GET", "/api/v1/kpis/trend"): A.KPI_READ,
    ("GET", "/api/v1/kpis/funnel"): A.KPI_READ,
    ("GET", "/api/v1/search"): A.CASE_READ,
    ("POST", "/api/v1/cases"): A.CASE_CREATE,
    ("POST", "/api/v1/cases/batch"): A.CASE_CREATE,
    ("POST", "/api/v1/imports/{kind}"): A.DATA_IMPORT,
    ("GET", "/api/v1/signals"): A.SIGNALS_READ,
    ("GET", "/api/v1/signals/{signal_id}"): A.SIGNALS_READ,
    ("GET", "/api/v1/cases/{key}/evidence/snapshots"): A.CASE_READ,
    ("POST", "/api/v1/cases/{key}/evidence/snapshots"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/evidence/bundle"): A.EVIDENCE_EXPORT,
    ("GET", "/api/v1/cases/{key}/members"): A.SIGNALS_READ,
    ("POST", "/api/v1/cases/{key}/members"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/members/drop"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/members/suggested"): A.CASE_WORK,
    ("GET", "/api/v1/cases/{key}"): A.CASE_READ,
    ("PATCH", "/api/v1/cases/{key}"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/transition"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/assign"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/claim"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/release"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/escalate"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/comments"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/replies"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/merge"): A.CASE_WORK,
    ("POST", "/api/v1/cases/{key}/split"): A.CASE_WORK,
    ("GET", "/api/v1/cases/{key}/requests"): A.CASE_READ,
    ("GET", "/api/v1/cases/{key}/timeline"): A.CASE_READ,
    ("GET", "/api/v1/cases/{key}/work"): A.CASE_READ,
    ("GET", "/api/v1/cases/{key}/decisions"): A.CASE_READ,
    ("GET", "/api/v1/cases/{key}/precedents"): A.CASE_READ,
    ("POST", "/api/v1/cases/{key}/decisions"): A.CASE_WORK,
    ("GET", "/api/v1/cases/{key}/sanctions"): A.CASE_READ,
    ("POST", "/api/v1/cases/{key}/appeal-outcome"): A.CASE_WORK,
    ("GET", "/api/v1/cases/{key}/disputes"): A.CASE_READ,
    ("POST", "/api/v1/cases/{key}/disputes"): A.CASE_WORK,
    ("PATCH", "/api/v1/disputes/{dispute_id}"): A.CASE_WORK,
    ("GET", "/api/v1/decisions"): A.CASE_READ,
    ("POST", "/api/v1/decisions/{decision_id}/approve"): A.DECISION_APPROVE,
    ("POST", "/api/v1/decisions/{decision_id}/reject"): A.DECISION_APPROVE,
    ("POST", "/api/v1/decisions/{decision_id}/resume"): A.CASE_WORK,
    ("GET", "/api/v1/staffing/plan"): A.KPI_READ,
    ("GET", "/api/v1/staffing/plan.csv"): A.KPI_READ,
    ("GET", "/api/v1/guidelines"): A.CONFIG_READ,
    ("GET", "/api/v1/guidelines/{code}/versions"): A.CONFIG_READ,
    ("PUT", "/api/v1/guidelines/{code}"): A.GUIDELINE_MANAGE,
    ("GET", "/api/v1/sops"): A.CONFIG_READ,
    ("GET", "/api/v1/sops/{kind}/versions"): A.CONFIG_READ,
    ("GET", "/api/v1/sops/{kind}/versions/{version}"): A.CONFIG_READ,
    ("POST", "/api/v1/sops/{kind}"): A.GUIDELINE_MANAGE,
    ("GET", "/api/v1/sops/{kind}/compare"): A.KPI_READ,
    ("GET", "/api/v1/cases/{key}/checklist"): A.CASE_READ,
    ("PUT", "/api/v1/cases/{key}/checklist/{item}"): A.CASE_WORK,
    ("GET", "/api/v1/approval-rules"): A.CONFIG_READ,
    ("PUT", "/api/v1/approval-rules"): A.CONFIG_MANAGE,
    ("GET", "/api/v1/misuse/candidates"): A.MISUSE_MANAGE,
    ("GET", "/api/v1/misuse/parties/{party_type}/{party_key}"): A.MISUSE_MANAGE,
    ("POST", "/api/v1/misuse/measures"): A.MISUSE_MANAGE,
    ("GET", "/api/v1/misuse/measures"): A.MISUSE_MANAGE,
    ("POST", "/api/v1/cases/{key}/reveal"): A.PII_REVEAL,
    ("GET", "/api/v1/legal-holds"): A.LEGAL_HOLD,
    ("POST", "/api/v1/legal-holds"): A.LEGAL_HOLD,
    ("POST", "/api/v1/legal-holds/{hold_id}/lift"): A.LEGAL_HOLD,
    ("GET", "/api/v1/trusted-flaggers"): A.CONFIG_READ,
    ("POST", "/api/v1/trusted-flaggers"): A.FLAGGER_MANAGE,
    ("PATCH", "/api/v1/trusted-flaggers/{flagger_id}"): A.FLAGGER_MANAGE,
    ("GET", "/api/v1/cases/{key}/messages"): A.CASE_READ,
    ("POST", "/api/v1/messages/{message_id}/release"): A.MESSAGE_REVIEW,
    ("GET", "/api/v1/messages"): A.MESSAGE_REPLAY,
    ("POST", "/api/v1/messages/replay"): A.MESSAGE_REPLAY,
    ("POST", "/api/v1/messages/{message_id}/replay"): A.MESSAGE_REPLAY,
    ("GET", "/api/v1/queues"): A.QUEUE_READ,
    ("POST", "/api/v1/queues"): A.QUEUE_MANAGE,
    ("PATCH", "/api/v1/queues/{slug}"): A.QUEUE_MANAGE,
    ("POST", "/api/v1/queues/{slug}/deactivate"): A.QUEUE_MANAGE,
    ("POST", "/api/v1/queues/{slug}/reactivate"): A.QUEUE_MANAGE,
    ("GET", "/api/v1/queues/{slug}/routing"): A.QUEUE_MANAGE,
    ("PUT", "/api/v1/queues/{slug}/routing"): A.QUEUE_MANAGE,
    ("POST", "/api/v1/queues/{slug}/claim"): A.CASE_WORK,
    ("GET", "/api/v1/triage/rules"): A.CONFIG_READ,
    ("PUT", "/api/v1/triage/rules"): A.CONFIG_MANAGE,
    ("GET", "/api/v1/sla/policies"): A.CONFIG_READ,
    ("PUT", "/api/v1/sla/policies"): A.CONFIG_MANAGE,
    ("GET", "/api/v1/sla/calendars"): A.CONFIG_READ,
    ("PUT", "/api/v1/sla/calendars"): A.CONFIG_MANAGE,
    ("GET", "/api/v1/me"): A.SELF,
    ("POST", "/api/v1/tokens"): A.SELF,
    ("GET", "/api/v1/tokens"): A.SELF,
    ("POST", "/api/v1/tokens/{token_id}/revoke"): A.SELF,
    ("GET", "/api/v1/users"): A.USER_MANAGE,
    ("POST", "/api/v1/users"): A.USER_MANAGE,
    ("GET", "/api/v1/users/{user_id}/tokens"): A.USER_MANAGE,
    ("POST", "/api/v1/users/{user_id}/tokens/{token_id}/revoke"): A.USER_MANAGE,
    ("POST", "/api/v1/users/{user_id}/password"): A.USER_MANAGE,
    ("POST", "/api/v1/users/{user_id}/deactivate"): A.USER_MANAGE,
    ("POST", "/api/v1/users/{user_id}/reactivate"): A.USER_MANAGE,
    ("GET", "/api/v1/webhooks"): A.WEBHOOK_MANAGE,
    ("POST", "/api/v1/webhooks"): A.WEBHOOK_MANAGE,
    ("GET", "/api/v1/webhooks/{subscription_id}"): A.WEBHOOK_MANAGE,
    ("PATCH", "/api/v1/webhooks/{subscription_id}"): A.WEBHOOK_MANAGE,
    ("POST", "/api/v1/webhooks/{subscription_id}/rotate-secret"): A.WEBHOOK_MANAGE,
    ("GET", "/api/v1/webhooks/{subscription_id}/deliveries"): A.WEBHOOK_MANAGE,
    ("GET", "/api/v1/webhooks/{subscription_id}/attempts"): A.WEBHOOK_MANAGE,
    ("POST", "/api/v1/webhooks/{subscription_id}/replay"): A.WEBHOOK_MANAGE,
    ("GET", "/api/v1/teams"): A.QUEUE_READ,
    ("POST", "/api/v1/teams"): A.WORKFORCE_MANAGE,
    ("PATCH", "/api/v1/teams/{team_id}"): A.WORKFORCE_MANAGE,
    ("GET", "/api/v1/vendors"): A.WORKFORCE_MANAGE,
    ("POST", "/api/v1/vendors"): A.WORKFORCE_MANAGE,
    ("GET", "/api/v1/vendors/{vendor_id}"): A.WORKFORCE_MANAGE,
    ("PATCH", "/api/v1/vendors/{vendor_id}"): A.WORKFORCE_MANAGE,
    ("PUT", "/api/v1/vendors/{vendor_id}/contract"): A.WORKFORCE_MANAGE,
    ("PUT", "/api/v1/vendors/{vendor_id}/commitments"): A.WORKFORCE_MANAGE,
    ("GET", "/api/v1/vendors/{vendor_id}/scorecard"): A.WORKFORCE_MANAGE,
    ("GET", "/api/v1/people"): A.WORKFORCE_MANAGE,
    # Anyone reads their own profile and sets their own availability; a manager anyone's
    # (people.roster.visible_people: someone else's answers 404).
    ("GET", "/api/v1/people/{user_id}"): A.SELF,
    ("PATCH", "/api/v1/people/{user_id}"): A.WORKFORCE_MANAGE,
    ("PUT", "/api/v1/people/{user_id}/availability"): A.SELF,
    ("POST", "/api/v1/people/{user_id}/exceptions"): A.WORKFORCE_MANAGE,
    ("DELETE", "/api/v1/people/{user_id}/exceptions/{exception_id}"): A.WORKFORCE_MANAGE,
    ("GET", "/api/v1/qa/plans"): A.QA_MANAGE,
    ("POST", "/api/v1/qa/plans"): A.QA_MANAGE,
    ("PATCH", "/api/v1/qa/plans/{plan_id}"): A.QA_MANAGE,
    ("POST", "/api/v1/qa/draw"): A.QA_MANAGE,
    ("GET", "/api/v1/qa/forms/current"): A.QA_REVIEW,
    ("POST", "/api/v1/qa/forms"): A.QA_MANAGE,
    ("GET", "/api/v1/qa/queue"): A.QA_REVIEW,
    ("POST", "/api/v1/qa/queue/next"): A.QA_REVIEW,
    # Anyone reads a QA item they may see (quality.review.visible: their own once judged).
    ("GET", "/api/v1/qa/items/{item_id}"): A.SELF,
    ("POST", "/api/v1/qa/items/{item_id}/review"): A.QA_REVIEW,
    ("POST", "/api/v1/qa/items/{item_id}/release"): A.QA_REVIEW,
    ("GET", "/api/v1/qa/mine"): A.SELF,
    ("POST", "/api/v1/qa/items/{item_id}/dispute"): A.SELF,
    ("GET", "/api/v1/qa/disputes"): A.QA_MANAGE,
    ("POST", "/api/v1/qa/items/{item_id}/settle"): A.QA_MANAGE,
    ("POST", "/api/v1/cases/{key}/policy-questions"): A.CASE_WORK,
    # Anyone lists and reads the questions they may see (policy_questions.service.visible).
    ("GET", "/api/v1/policy-questions"): A.SELF,
    ("GET", "/api/v1/policy-questions/per-guideline"): A.GUIDELINE_MANAGE,
    ("GET", "/api/v1/policy-questions/{question_id}"): A.SELF,
    ("POST", "/api/v1/policy-questions/{question_id}/answer"): A.GUIDELINE_MANAGE,
    # One's own growth, or anyone's for a manager (people.roster.get_person).
    ("GET", "/api/v1/people/{user_id}/growth"): A.SELF,
    ("POST", "/api/v1/people/{user_id}/coaching-notes"): A.WORKFORCE_MANAGE,
    # Calibration: managers build and close; the invited (case.work) answer blind, and an
    # exercise they are not invited to answers 404 (quality.calibration_answers.exercise_for).
    ("GET", "/api/v1/calibrations"): A.WORKFORCE_MANAGE,
    ("POST", "/api/v1/calibrations"): A.WORKFORCE_MANAGE,
    ("GET", "/api/v1/calibrations/mine"): A.CASE_WORK,
    ("GET", "/api/v1/calibrations/{exercise_id}"): A.WORKFORCE_MANAGE,
    ("PATCH", "/api/v1/calibrations/{exercise_id}"): A.WORKFORCE_MANAGE,
    ("POST", "/api/v1/calibrations/{exercise_id}/items"): A.WORKFORCE_MANAGE,
    ("DELETE", "/api/v1/calibrations/{exercise_id}/items/{item_id}"): A.WORKFORCE_MANAGE,
    ("POST", "/api/v1/calibrations/{exercise_id}/invitations"): A.WORKFORCE_MANAGE,
    ("POST", "/api/v1/calibrations/{exercise_id}/open"): A.WORKFORCE_MANAGE,
    ("POST", "/api/v1/calibrations/{exercise_id}/close"): A.WORKFORCE_MANAGE,
    ("GET", "/api/v1/calibrations/{exercise_id}/results"): A.WORKFORCE_MANAGE,
    ("GET", "/api/v1/calibrations/{exercise_id}/mine"): A.CASE_WORK,
    ("PUT", "/api/v1/calibrations/{exercise_id}/items/{item_id}/answer"): A.CASE_WORK,
    ("POST", "/api/v1/calibrations/{exercise_id}/submit"): A.CASE_WORK,
}
# Routes anyone may call without signing in.
PUBLIC = {("GET", "/healthz")}
# The console's pages, outside the OpenAPI document.
PAGES: dict[tuple[str, str], Action] = {
    ("GET", "/"): A.CASE_READ,
    ("POST", "/claim-next"): A.CASE_WORK,
    ("GET", "/cases"): A.CASE_READ,
    ("GET", "/reports"): A.KPI_READ,
    ("GET", "/reports/{week}.html"): A.KPI_READ,
    ("GET", "/reports/{week}.zip"): A.KPI_READ,
    ("POST", "/cases/bulk"): A.CASE_WORK,
    ("GET", "/account"): A.SELF,
    ("GET", "/search"): A.CASE_READ,
    ("POST", "/account/tokens/{token_id}/revoke"): A.SELF,
    ("POST", "/account/blur-harm"): A.SELF,
    ("GET", "/cases/{key}/decision"): A.CASE_READ,
    ("GET", "/cases/{key}/evidence"): A.CASE_READ,
    ("POST", "/cases/{key}/evidence/snapshots"): A.CASE_WORK,
    ("POST", "/cases/{key}/evidence/bundle"): A.EVIDENCE_EXPORT,
    ("GET", "/cases/{key}/decide"): A.CASE_READ,
    ("POST", "/cases/{key}/decision"): A.CASE_WORK,
    ("GET", "/cases/{key}/checklist"): A.CASE_READ,
    ("POST", "/cases/{key}/checklist/{item}"): A.CASE_WORK,
    ("GET", "/sops"): A.CONFIG_READ,
    ("GET", "/sops/{kind}/versions/{version}"): A.CONFIG_READ,
    ("GET", "/sops/{kind}/publish"): A.GUIDELINE_MANAGE,
    ("POST", "/sops/{kind}/publish"): A.GUIDELINE_MANAGE,
    ("GET", "/sops/{kind}/compare"): A.KPI_READ,
    ("POST", "/cases/{key}/decision/{decision_id}/approve"): A.DECISION_APPROVE,
    ("POST", "/cases/{key}/decision/{decision_id}/reject"): A.DECISION_APPROVE,
    ("POST", "/cases/{key}/decision/{decision_id}/resume"): A.CASE_WORK,
    ("POST", "/cases/{key}/appeal-outcome"): A.CASE_WORK,
    ("POST", "/cases/{key}/legal-holds"): A.LEGAL_HOLD,
    ("POST", "/cases/{key}/legal-holds/{hold_id}/lift"): A.LEGAL_HOLD,
    ("GET", "/messages/held"): A.MESSAGE_REVIEW,
    ("POST", "/messages/{message_id}/release"): A.MESSAGE_REVIEW,
    ("GET", "/flaggers"): A.FLAGGER_MANAGE,
    ("POST", "/flaggers"): A.FLAGGER_MANAGE,
    ("POST", "/flaggers/{flagger_id}"): A.FLAGGER_MANAGE,
    ("GET", "/queues"): A.QUEUE_READ,
    ("GET", "/overview"): A.OVERVIEW_READ,
    ("GET", "/dashboard"): A.KPI_READ,
    ("GET", "/staffing"): A.KPI_READ,
    ("GET", "/staffing.csv"): A.KPI_READ,
    ("GET", "/cases/{key}"): A.CASE_READ,
    ("GET", "/cases/{key}/timeline"): A.CASE_READ,
    ("GET", "/cases/{key}/workspace"): A.SIGNALS_READ,
    ("POST", "/cases/{key}/workspace/members"): A.CASE_WORK,
    ("POST", "/cases/{key}/workspace/drop"): A.CASE_WORK,
    ("POST", "/cases/{key}/workspace/suggestions"): A.CASE_WORK,
    ("POST", "/cases/{key}/comment"): A.CASE_WORK,
    ("POST", "/cases/{key}/reply"): A.CASE_WORK,
    ("POST", "/cases/{key}/claim"): A.CASE_WORK,
    ("POST", "/cases/{key}/assign"): A.CASE_WORK,
    ("POST", "/cases/{key}/release"): A.CASE_WORK,
    ("POST", "/cases/{key}/escalate"): A.CASE_WORK,
    ("POST", "/cases/{key}/start"): A.CASE_WORK,
    ("POST", "/cases/{key}/wait"): A.CASE_WORK,
    ("POST", "/cases/{key}/resume"): A.CASE_WORK,
    ("POST", "/cases/{key}/close"): A.CASE_WORK,
    ("POST", "/cases/{key}/reopen"): A.CASE_WORK,
    ("POST", "/cases/{key}/merge"): A.CASE_WORK,
    ("POST", "/cases/{key}/reveal"): A.PII_REVEAL,
    ("POST", "/cases/{key}/harm/reveal"): A.CASE_READ,
    ("GET", "/cases/{key}/files/{file_id}"): A.MAIL_READ,
    ("GET", "/cases/{key}/mail/{mail_id}/raw"): A.MAIL_READ,
    ("GET", "/requests"): A.REQUEST_RAISE,
    ("GET", "/requests/new"): A.REQUEST_RAISE,
    ("POST", "/requests"): A.REQUEST_RAISE,
    ("GET", "/requests/businesses"): A.REQUEST_RAISE,
    ("GET", "/requests/businesses/{business_id}"): A.REQUEST_RAISE,
    ("GET", "/queue-settings"): A.QUEUE_MANAGE,
    ("POST", "/queue-settings"): A.QUEUE_MANAGE,
    ("GET", "/queue-settings/{slug}"): A.QUEUE_MANAGE,
    ("POST", "/queue-settings/{slug}"): A.QUEUE_MANAGE,
    ("POST", "/queue-settings/{slug}/active"): A.QUEUE_MANAGE,
    ("POST", "/queue-settings/{slug}/routing"): A.QUEUE_MANAGE,
    ("GET", "/webhooks"): A.WEBHOOK_MANAGE,
    ("POST", "/webhooks"): A.WEBHOOK_MANAGE,
    ("GET", "/webhooks/{subscription_id}"): A.WEBHOOK_MANAGE,
    ("POST", "/webhooks/{subscription_id}/replay"): A.WEBHOOK_MANAGE,
    ("POST", "/webhooks/{subscription_id}/active"): A.WEBHOOK_MANAGE,
    ("POST", "/webhooks/{subscription_id}/rotate-secret"): A.WEBHOOK_MANAGE,
    ("GET", "/outbox"): A.MESSAGE_REPLAY,
    ("POST", "/outbox/replay"): A.MESSAGE_REPLAY,
    ("GET", "/teams"): A.WORKFORCE_MANAGE,
    ("POST", "/teams"): A.WORKFORCE_MANAGE,
    ("GET", "/vendors"): A.WORKFORCE_MANAGE,
    ("POST", "/vendors"): A.WORKFORCE_MANAGE,
    ("GET", "/vendors/{vendor_id}"): A.WORKFORCE_MANAGE,
    ("POST", "/vendors/{vendor_id}"): A.WORKFORCE_MANAGE,
    ("POST", "/vendors/{vendor_id}/contract"): A.WORKFORCE_MANAGE,
    ("POST", "/vendors/{vendor_id}/commitments"): A.WORKFORCE_MANAGE,
    ("GET", "/vendors/{vendor_id}/scorecard"): A.WORKFORCE_MANAGE,
    ("GET", "/vendors/{vendor_id}/scorecard.csv"): A.WORKFORCE_MANAGE,
    ("GET", "/people"): A.WORKFORCE_MANAGE,
    ("GET", "/people/{user_id}"): A.SELF,
    ("POST", "/people/{user_id}"): A.WORKFORCE_MANAGE,
    ("POST", "/people/{user_id}/availability"): A.SELF,
    ("POST", "/people/{user_id}/exceptions"): A.WORKFORCE_MANAGE,
    ("POST", "/people/{user_id}/exceptions/{exception_id}/cancel"): A.WORKFORCE_MANAGE,
    ("GET", "/qa"): A.QA_REVIEW,
    ("POST", "/qa/next"): A.QA_REVIEW,
    ("GET", "/qa/items/{item_id}"): A.SELF,
    ("POST", "/qa/items/{item_id}/review"): A.QA_REVIEW,
    ("POST", "/qa/items/{item_id}/dispute"): A.SELF,
    ("POST", "/qa/items/{item_id}/settle"): A.QA_MANAGE,
    ("GET", "/qa/mine"): A.SELF,
    ("GET", "/qa/disputes"): A.QA_MANAGE,
    ("GET", "/qa/plans"): A.QA_MANAGE,
    ("POST", "/qa/plans"): A.QA_MANAGE,
    ("POST", "/qa/plans/{plan_id}/active"): A.QA_MANAGE,
    ("POST", "/qa/draw"): A.QA_MANAGE,
    ("GET", "/cases/{key}/policy-questions"): A.CASE_READ,
    ("GET", "/cases/{key}/precedents"): A.CASE_READ,
    ("POST", "/cases/{key}/policy-questions"): A.CASE_WORK,
    ("GET", "/policy-questions"): A.SELF,
    ("GET", "/policy-questions/{question_id}"): A.SELF,
    ("POST", "/policy-questions/{question_id}/answer"): A.GUIDELINE_MANAGE,
    ("GET", "/people/{user_id}/growth"): A.SELF,
    ("POST", "/people/{user_id}/coaching-notes"): A.WORKFORCE_MANAGE,
    ("GET", "/calibrations"): A.WORKFORCE_MANAGE,
    ("POST", "/calibrations"): A.WORKFORCE_MANAGE,
    ("GET", "/calibrations/mine"): A.CASE_WORK,
    ("GET", "/calibrations/{exercise_id}"): A.WORKFORCE_MANAGE,
    ("POST", "/calibrations/{exercise_id}/items"): A.WORKFORCE_MANAGE,
    ("POST", "/calibrations/{exercise_id}/items/{item_id}/remove"): A.WORKFORCE_MANAGE,
    ("POST", "/calibrations/{exercise_id}/invitations"): A.WORKFORCE_MANAGE,
    ("POST", "/calibrations/{exercise_id}/open"): A.WORKFORCE_MANAGE,
    ("POST", "/calibrations/{exercise_id}/close"): A.WORKFORCE_MANAGE,
    ("GET", "/calibrations/{exercise_id}/results"): A.WORKFORCE_MANAGE,
    ("GET", "/calibrations/{exercise_id}/answer"): A.CASE_WORK,
    ("POST", "/calibrations/{exercise_id}/answer"): A.CASE_WORK,
}
# Sign-in and sign-out guard themselves (login form token, session CSRF token).
PUBLIC_PAGES = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout"),
                # The public DSA forms: no account, a signed double-submit, rate-limited.
                ("GET", "/notice"), ("POST", "/notice"), ("GET", "/appeal"),
                ("POST", "/appeal"), ("GET", "/forms/received")}
# The OpenAPI document, outside itself: guarded like the API (401 without a token or session).
DOCUMENT: dict[tuple[str, str], Action] = {("GET", "/openapi.json"): A.SELF}
PLACEHOLDERS = {"key": "FLG-999999", "slug": "flags", "user_id": "999999",
                "token_id": "999999", "decision_id": "999999", "dispute_id": "999999",
                "code": "fake", "party_type": "notifier", "party_key": "someone@example.com",
                "hold_id": "999999", "flagger_id": "999999", "message_id": "999999",
                "subscription_id": "999999", "business_id": "999999",
                "file_id": "999999", "mail_id": "999999",
                "team_id": "999999", "vendor_id": "999999", "week": "2026-W13",
                "exception_id": "999999", "plan_id": "999999", "item_id": "999999",
                "question_id": "999999", "signal_id": "999999",
                "kind": "flag", "version": "1", "item": "history", "exercise_id": "999999"}


def _operations(app: Any) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in app.openapi()["paths"].items()
            for method in item}


def _declared_action(route: APIRoute) -> Action | None:
    found = [getattr(d.call, "action", None) for d in route.dependant.dependencies]
    actions = [a for a in found if a is not None]
    return actions[0] if len(actions) == 1 else None


def _url(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: PLACEHOLDERS[m.group(1)], path)


def test_every_route_has_exactly_one_rule(app: Any) -> None:
    operations = _operations(app)
    assert operations - PUBLIC == set(ROUTES), "routes without a row (or rows without a route)"
    rules = {**ROUTES, **PAGES, **DOCUMENT}
    seen = set()
    for path, route in api_routes(app.routes):
        for method in route.methods:
            seen.add((method, path))
            if (method, path) in PUBLIC | PUBLIC_PAGES:
                continue
            assert (method, path) in rules, f"{method} {path} has no row in ROUTES or PAGES"
            assert _declared_action(route) == rules[(method, path)], (method, path)
    assert seen >= set(rules) | PUBLIC_PAGES, "rows without a route"


@pytest.fixture
def everyone(make_person: Callable[..., Person], make_team: Callable[..., Any]
             ) -> dict[Role, Person]:
    vendor = make_team("Vendor A", kind="vendor")
    return {role: make_person(role.value, team=vendor if role == Role.AGENT else None)
            for role in Role}


@pytest.mark.parametrize("operation", sorted(ROUTES), ids=lambda o: f"{o[0]} {o[1]}")
def test_each_role_is_let_in_or_refused(client: Any, everyone: dict[Role, Person],
                                        operation: tuple[str, str]) -> None:
    method, path = operation
    action = ROUTES[operation]
    body = {} if method in ("POST", "PUT", "PATCH") else None
    anonymous = client.request(method, _url(path), json=body)
    assert anonymous.status_code == 401, anonymous.text
    for role, person in everyone.items():
        r = client.request(method, _url(path), json=body, headers=person.headers)
        assert r.status_code < 500, (role, r.status_code, r.text)
        if role in MATRIX[action]:
            assert r.status_code not in (401, 403), (role, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, r.status_code, r.text)
            assert r.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("operation", sorted(o for o, a in ROUTES.items() if a in ADMIN_SCOPED),
                         ids=lambda o: f"{o[0]} {o[1]}")
def test_admin_actions_need_an_admin_scoped_token(
        client: Any, make_person: Callable[..., Person], operation: tuple[str, str]) -> None:
    method, path = operation
    admin = make_person("admin", scopes=["read", "write"])
    r = client.request(method, _url(path), json={} if method != "GET" else None,
                       headers=admin.headers)
    assert r.status_code == 403
    assert "admin" in r.json()["error"]["message"]


def test_docs_show_the_matrix_the_code_enforces() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "access.md").read_text()
    assert matrix_markdown() in doc


@pytest.mark.parametrize("operation", sorted(PAGES), ids=lambda o: f"{o[0]} {o[1]}")
def test_each_role_is_let_into_pages_or_refused(client: Any, everyone: dict[Role, Person],
                                                sign_in: Callable[..., Browser],
                                                operation: tuple[str, str]) -> None:
    """Signed out: sent to the sign-in page. Signed in: the matrix decides; a change without
    the session's CSRF token is refused whatever the role."""
    method, path = operation
    action = PAGES[operation]
    anonymous = client.request(method, _url(path), follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    for role, person in everyone.items():
        browser = sign_in(person)
        data = {"csrf_token": browser.csrf} if method != "GET" else None
        r = browser.client.request(method, _url(path), data=data, follow_redirects=False)
        assert r.status_code < 500, (role, r.status_code, r.text)
        if role in MATRIX[action]:
            assert r.status_code not in (401, 403), (role, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, r.status_code)
        if method != "GET":
            bare = browser.client.request(method, _url(path), follow_redirects=False)
            assert bare.status_code == 403, (role, bare.status_code)
