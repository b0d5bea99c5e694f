"""What a decision may do to a review, a reviewer or a business, as pure rules.

Each action names the subjects it applies to, how it changes them, whether it restricts someone
(and so needs a statement of reasons, DSA Art. 17, and a Transparency Database entry), which
DSA decision field it maps onto, whether it takes a duration, and whether it is severe enough
to need a second person's approval by default. Testable without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from integrity_desk.errors import InvalidInput


class ActionKind(StrEnum):
    REMOVE_REVIEW = "remove_review"
    RESTORE_REVIEW = "restore_review"
    KEEP = "keep"
    HIDE_PENDING_INVESTIGATION = "hide_pending_investigation"
    REQUEST_DOCUMENTATION = "request_documentation"
    LABEL_REVIEW = "label_review"
    WARN_REVIEWER = "warn_reviewer"
    SUSPEND_REVIEWER = "suspend_reviewer"
    WARN_BUSINESS = "warn_business"
    CONSUMER_WARNING = "consumer_warning"
    RESTRICT_BUSINESS_FEATURES = "restrict_business_features"
    END_BUSINESS_FEATURES = "end_business_features"


class Ground(StrEnum):
    """The two grounds of DSA Art. 17(3)(d)/(e): the law, or the platform's terms."""

    ILLEGAL_CONTENT = "illegal_content"
    INCOMPATIBLE_CONTENT = "incompatible_content"


class Automation(StrEnum):
    NOT_AUTOMATED = "not_automated"
    PARTIALLY = "partially"
    FULLY = "fully"


class Restriction(StrEnum):
    """The Transparency Database's decision fields (one statement field each)."""

    VISIBILITY = "decision_visibility"
    ACCOUNT = "decision_account"
    PROVISION = "decision_provision"


class Duration(StrEnum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


@dataclass(frozen=True)
class ActionRule:
    subject_type: str  # review | reviewer | business
    label: str
    restriction: Restriction | None = None
    dsa_value: str | None = None
    duration: Duration = Duration.NONE
    severe: bool = False  # needs a second person's approval unless configured otherwise
    needs_label: bool = False  # a label text shown to consumers


A = ActionKind
RULES: dict[ActionKind, ActionRule] = {
    A.REMOVE_REVIEW: ActionRule("review", "remove the review", Restriction.VISIBILITY,
                                "DECISION_VISIBILITY_CONTENT_REMOVED"),
    A.RESTORE_REVIEW: ActionRule("review", "restore the review"),
    A.KEEP: ActionRule("review", "keep the review as it is (no action)"),
    A.HIDE_PENDING_INVESTIGATION: ActionRule(
        "review", "hide the review pending investigation", Restriction.VISIBILITY,
        "DECISION_VISIBILITY_CONTENT_DISABLED", Duration.OPTIONAL),
    A.REQUEST_DOCUMENTATION: ActionRule(
        "review", "ask the reviewer for documentation of the experience"),
    A.LABEL_REVIEW: ActionRule("review", "label the review", Restriction.VISIBILITY,
                               "DECISION_VISIBILITY_CONTENT_LABELLED", needs_label=True),
    A.WARN_REVIEWER: ActionRule("reviewer", "warn the reviewer"),
    A.SUSPEND_REVIEWER: ActionRule("reviewer", "suspend the reviewer's account",
                                   Restriction.ACCOUNT, "DECISION_ACCOUNT_SUSPENDED",
                                   Duration.REQUIRED, severe=True),
    A.WARN_BUSINESS: ActionRule("business", "warn the business"),
    A.CONSUMER_WARNING: ActionRule(
        "business", "put a consumer warning on the business profile", Restriction.VISIBILITY,
        "DECISION_VISIBILITY_CONTENT_LABELLED", Duration.OPTIONAL, severe=True,
        needs_label=True),
    A.RESTRICT_BUSINESS_FEATURES: ActionRule(
        "business", "restrict the business's features", Restriction.PROVISION,
        "DECISION_PROVISION_PARTIAL_SUSPENSION", Duration.OPTIONAL, severe=True),
    A.END_BUSINESS_FEATURES: ActionRule(
        "business", "end the business's features", Restriction.PROVISION,
        "DECISION_PROVISION_TOTAL_TERMINATION", severe=True),
}

DEFAULT_DOCUMENTATION_DAYS = 7
MAX_DURATION_DAYS = 3650


def is_restriction(action: ActionKind | str) -> bool:
    return RULES[ActionKind(action)].restriction is not None


@dataclass(frozen=True)
class ActionRequest:
    action: ActionKind
    subject_type: str
    subject_id: int
    duration_days: int | None = None
    label: str | None = None
    response_days: int | None = None


def check_action(request: ActionRequest, field: str) -> None:
    """Raise a 422 naming the field (under ``field``) when the request does not fit the action."""
    rule = RULES[request.action]
    if request.subject_type != rule.subject_type:
        raise InvalidInput(f"{request.action} acts on a {rule.subject_type}, "
                           f"not a {request.subject_type}", field=f"{field}.subject")
    if rule.duration == Duration.REQUIRED and not request.duration_days:
        raise InvalidInput(f"{request.action} needs a duration in days",
                           field=f"{field}.duration_days")
    if rule.duration == Duration.NONE and request.duration_days:
        raise InvalidInput(f"{request.action} takes no duration", field=f"{field}.duration_days")
    if request.duration_days is not None and not 1 <= request.duration_days <= MAX_DURATION_DAYS:
        raise InvalidInput(f"between 1 and {MAX_DURATION_DAYS} days",
                           field=f"{field}.duration_days")
    if rule.needs_label and not (request.label or "").strip():
        raise InvalidInput(f"{request.action} needs the label text consumers will see",
                           field=f"{field}.label")
    if request.response_days is not None:
        if request.action != ActionKind.REQUEST_DOCUMENTATION:
            raise InvalidInput("only a request for documentation has a response window",
                               field=f"{field}.response_days")
        if not 1 <= request.response_days <= 90:
            raise InvalidInput("between 1 and 90 days", field=f"{field}.response_days")


def check_ground(ground: Ground | None, *, legal_ground: str | None, restricts: bool) -> None:
    """Every restriction states its ground; one on illegal content names the law it breaks."""
    if restricts and ground is None:
        raise InvalidInput("a restriction needs its ground (illegal content or the terms)",
                           field="ground")
    if ground == Ground.ILLEGAL_CONTENT and not (legal_ground or "").strip():
        raise InvalidInput("illegal content needs the legal ground (the law and provision)",
                           field="legal_ground")


def ends_at(request: ActionRequest, now: datetime) -> datetime | None:
    if request.action == ActionKind.REQUEST_DOCUMENTATION:
        return now + timedelta(days=request.response_days or DEFAULT_DOCUMENTATION_DAYS)
    return now + timedelta(days=request.duration_days) if request.duration_days else None


# -- which actions go together ------------------------------------------------------------------
# Pairs that cannot both be taken on one subject in one decision: they undo each other, or one
# makes the other meaningless (a removed review is not also hidden; "keep" is no action at all).
_REVIEW_ACTIONS = frozenset(a for a, r in RULES.items() if r.subject_type == "review")
CONTRADICTIONS: frozenset[frozenset[ActionKind]] = frozenset({
    frozenset({A.REMOVE_REVIEW, A.RESTORE_REVIEW}),
    frozenset({A.REMOVE_REVIEW, A.HIDE_PENDING_INVESTIGATION}),
    frozenset({A.HIDE_PENDING_INVESTIGATION, A.RESTORE_REVIEW}),
    frozenset({A.REMOVE_REVIEW, A.LABEL_REVIEW}),
    frozenset({A.RESTRICT_BUSINESS_FEATURES, A.END_BUSINESS_FEATURES}),
} | {frozenset({A.KEEP, other}) for other in _REVIEW_ACTIONS - {A.KEEP}})


def check_combination(items: list[tuple[str, ActionRequest]]) -> None:
    """Refuse (422, naming both actions) an action named twice for one subject, or two that
    contradict each other on it. ``items`` are (the subject as the caller named it, request),
    in the order given: the field named is the later of the two."""
    seen: dict[tuple[str, int], list[tuple[int, ActionKind]]] = {}
    for index, (ref, request) in enumerate(items):
        earlier = seen.setdefault((request.subject_type, request.subject_id), [])
        for _, other in earlier:
            if other == request.action:
                raise InvalidInput(f"{request.action} is named twice for {ref}",
                                   field=f"actions.{index}", actions=[request.action.value])
            if frozenset({other, request.action}) in CONTRADICTIONS:
                raise InvalidInput(
                    f"{other} and {request.action} contradict each other on {ref}",
                    field=f"actions.{index}", actions=[other.value, request.action.value])
        earlier.append((index, request.action))


def no_op_reason(request: ActionRequest, state: dict[str, Any], now: datetime) -> str | None:
    """Why the action would change nothing the subject is not already under, or None.

    A decision that removes a removed review, restores a published one or suspends a suspended
    reviewer for less time than is left would issue a statement of reasons for nothing — and
    the Transparency Database would count a restriction that never happened.
    """
    until = ends_at(request, now)
    status = state.get("status")
    match request.action:
        case A.REMOVE_REVIEW if status == "removed":
            return "is already removed"
        case A.RESTORE_REVIEW if status == "published" and not state.get("label"):
            return "is already published"
        case A.HIDE_PENDING_INVESTIGATION if status in ("hidden", "removed"):
            return f"is already {status}"
        case A.LABEL_REVIEW if (state.get("label") or "") == (request.label or "").strip():
            return "already carries this label"
        case A.SUSPEND_REVIEWER if status == "suspended":
            current = state.get("suspended_until")
            if current is None:
                return "is already suspended without an end"
            if until is not None and current >= until:
                return f"is already suspended until {current:%Y-%m-%d}, longer than this"
        case A.END_BUSINESS_FEATURES if state.get("features_status") == "ended":
            return "has its features ended already"
        case A.RESTRICT_BUSINESS_FEATURES if state.get("features_status") == "ended":
            return "has its features ended already, more than a restriction"
        case A.RESTRICT_BUSINESS_FEATURES if state.get("features_status") == "restricted":
            current = state.get("features_until")
            if current is None:
                return "is already restricted without an end"
            if until is not None and current >= until:
                return f"is already restricted until {current:%Y-%m-%d}, longer than this"
    return None


# -- effects on subjects -------------------------------------------------------------------------
# A subject's state is the few columns decisions change; an effect maps it to its new state.
# The state before is kept with the action, so an overturned decision puts it back exactly.

SUBJECT_FIELDS: dict[str, tuple[str, ...]] = {
    "review": ("status", "label"),
    "reviewer": ("status", "suspended_until", "warning_count"),
    "business": ("consumer_warning", "consumer_warning_until", "features_status",
                 "features_until", "warning_count"),
}


def effect(request: ActionRequest, state: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The subject's state after the action (only the fields that change)."""
    until = ends_at(request, now)
    match request.action:
        case A.REMOVE_REVIEW:
            return {"status": "removed"}
        case A.RESTORE_REVIEW:
            return {"status": "published", "label": None}
        case A.HIDE_PENDING_INVESTIGATION:
            return {"status": "hidden"}
        case A.LABEL_REVIEW:
            return {"label": (request.label or "").strip()}
        case A.WARN_REVIEWER | A.WARN_BUSINESS:
            return {"warning_count": (state.get("warning_count") or 0) + 1}
        case A.SUSPEND_REVIEWER:
            return {"status": "suspended", "suspended_until": until}
        case A.CONSUMER_WARNING:
            return {"consumer_warning": (request.label or "").strip(),
                    "consumer_warning_until": until}
        case A.RESTRICT_BUSINESS_FEATURES:
            return {"features_status": "restricted", "features_until": until}
        case A.END_BUSINESS_FEATURES:
            return {"features_status": "ended", "features_until": None}
        case A.KEEP | A.REQUEST_DOCUMENTATION:
            return {}
    raise AssertionError(request.action)  # pragma: no cover (every kind is matched above)


# -- sanctions ladder ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SanctionStep:
    """From the n-th offence on (1 = first), this action (with a duration where it takes one)."""

    offence: int
    action: ActionKind
    duration_days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"offence": self.offence, "action": self.action.value,
                "duration_days": self.duration_days}


def parse_ladder(steps: list[dict[str, Any]]) -> list[SanctionStep]:
    """A ladder from data; steps must rise with the offence number and fit their action."""
    ladder: list[SanctionStep] = []
    for i, raw in enumerate(steps):
        try:
            step = SanctionStep(int(raw["offence"]), ActionKind(raw["action"]),
                                raw.get("duration_days"))
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidInput("each step is {offence, action, duration_days}",
                               field=f"sanctions.{i}") from exc
        if step.offence < 1 or (ladder and step.offence <= ladder[-1].offence):
            raise InvalidInput("offence numbers start at 1 and rise", field=f"sanctions.{i}")
        if RULES[step.action].subject_type == "review":
            raise InvalidInput("a sanction acts on the reviewer or the business",
                               field=f"sanctions.{i}.action")
        check_action(ActionRequest(step.action, RULES[step.action].subject_type, 0,
                                   step.duration_days, label="(label)"), f"sanctions.{i}")
        ladder.append(step)
    return ladder


def sanction_for(ladder: list[SanctionStep], subject_type: str,
                 offence: int) -> SanctionStep | None:
    """The step for a reviewer's or business's n-th offence: the highest at or below it."""
    due = [s for s in ladder
           if s.offence <= offence and RULES[s.action].subject_type == subject_type]
    return due[-1] if due else None
