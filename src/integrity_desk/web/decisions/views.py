"""What the decision panel shows, shaped from the services' objects (no queries here), and how
its forms are read: a form's fields become the services' inputs, and a service's refusal
becomes a message that names the field in the words of the form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from integrity_desk.access.domain import Action, allows
from integrity_desk.cases.domain import CaseKind
from integrity_desk.decisions.domain import RULES, ActionKind
from integrity_desk.decisions.models import Decision, DecisionAction, Guideline
from integrity_desk.decisions.panel import DECIDABLE, SHOWN_ACTIONS, PanelData, SubjectState
from integrity_desk.dsa import schema as dsa_schema
from integrity_desk.errors import DeskError
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.people.models import Role, User
from integrity_desk.privacy.domain import mask_contact, mask_requester_name, mask_text
from integrity_desk.privacy.schemas import HoldOut
from integrity_desk.web import forms
from integrity_desk.web.errors import PageError

# -- how a refusal names the field ---------------------------------------------------------------

LABELS = {
    "guideline": "Guideline", "facts": "Facts", "explanation": "Reasoning",
    "reasoning": "Reasoning", "territorial_scope": "Territorial scope", "ground": "Ground",
    "legal_ground": "Legal ground", "actions": "Actions", "outcome": "Outcome",
    "subject": "Subject", "status": "Case status", "manifest": "Manifest",
    "manifestly_unfounded": "Manifestly unfounded", "note": "Note",
    "reverse_action_ids": "Actions to reverse", "override_reason": "Override reason",
    "body": "Letter text", "reason": "Reason", "name": "Name", "country": "Country",
    "coordinator": "Coordinator", "areas": "Areas of expertise", "contact": "Contact e-mail",
    "active": "Status", "key": "Case", "decision": "Decision", "message": "Letter",
    "hold_id": "Legal hold", "id": "Trusted flagger", "automated_decision": "Automated decision",
    "contested_decision": "Contested decision", "case": "Case", "checklist": "SOP checklist",
    "item": "Checklist item",
}
ACTION_PARTS = {"subject": "subject", "duration_days": "duration (days)", "label": "label text",
                "response_days": "answer window (days)"}
TITLES = {403: "Not allowed", 404: "Not found", 409: "Not possible now", 422: "Check the form"}


def field_label(name: str | None, subjects: list[str] | None = None) -> str:
    """``actions.0.duration_days`` → "Duration (days) of the action on reviewer:u1"."""
    if not name:
        return "Request"
    parts = name.split(".")
    if parts[0] == "actions" and len(parts) >= 2 and parts[1].isdigit():
        index = int(parts[1])
        on = f" on {subjects[index]}" if subjects and index < len(subjects) else ""
        what = ACTION_PARTS.get(parts[2], parts[2]) if len(parts) > 2 else "action"
        return f"{what[:1].upper()}{what[1:]} of the action{on}"
    return LABELS.get(name, name.replace("_", " ").capitalize())


def refusal(exc: DeskError, subjects: list[str] | None = None) -> PageError:
    status = exc.status_code if exc.status_code in TITLES else 422
    return PageError(status, TITLES[status], f"{field_label(exc.field, subjects)}: {exc.message}")


@contextmanager
def service_errors(subjects: list[str] | None = None) -> Iterator[None]:
    """Turn a service's refusal into a page error naming the field (never a 500)."""
    try:
        yield
    except DeskError as exc:
        raise refusal(exc, subjects) from exc


def invalid(name: str, message: str) -> PageError:
    return forms.refuse(name, message, label=field_label(name))


# -- reading forms -------------------------------------------------------------------------------

async def _form(request: Request) -> dict[str, Any]:
    """Every field of a posted form: a single value as a string, a repeated one as a list."""
    form = await request.form()
    out: dict[str, Any] = {}
    for name in form:
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        out[name] = values if len(values) > 1 else (values[0] if values else "")
    return out


FormData = Annotated[dict[str, Any], Depends(_form)]


def text(form: Mapping[str, Any], name: str, *, max_length: int, required: bool = False) -> str:
    """A decision form's text field (web.forms.text), named as the form names it."""
    return forms.text(forms.value(form, name), name, required=required, max_length=max_length,
                      label=field_label(name))


def many(form: Mapping[str, Any], name: str) -> list[str]:
    value = form.get(name, [])
    return [v for v in (value if isinstance(value, list) else [value]) if v]


def number(form: Mapping[str, Any], name: str, *, low: int, high: int,
           label: str | None = None) -> int | None:
    raw = text(form, name, max_length=12)
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise PageError(422, TITLES[422],
                        f"{label or field_label(name)}: a whole number from {low} to {high}")
    return int(raw)


def flag(form: Mapping[str, Any], name: str) -> bool:
    return text(form, name, max_length=8) in ("1", "on", "true", "yes")


def territorial_scope(form: Mapping[str, Any]) -> list[str]:
    """EEA or EU (the Commission's presets) or the country codes typed in."""
    scope = text(form, "scope", max_length=16) or "EEA"
    if scope == "EEA":
        return list(dsa_schema.EEA)
    if scope == "EU":
        return list(dsa_schema.EU)
    codes = [c.strip().upper() for c in text(form, "countries", max_length=200).replace(
        ";", ",").split(",") if c.strip()]
    allowed = set(dsa_schema.EEA) | {"EL"}
    wrong = [c for c in codes if c not in allowed]
    if wrong or not codes:
        raise invalid("territorial_scope", "name EU/EEA countries by their two-letter codes, "
                      "e.g. DE, AT" + (f" (not {', '.join(wrong)})" if wrong else ""))
    return sorted({"GR" if c == "EL" else c for c in codes})


def safe_next(value: str | None, default: str) -> str:
    """Only a path of this desk (never another host) may be where a form returns to."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


# -- the panel -----------------------------------------------------------------------------------

STATUS_LABELS = {"applied": "applied", "applying": "being applied",
                 "awaiting_approval": "awaiting approval",
                 "rejected": "rejected", "reversed": "reversed"}
OUTCOME_LABELS = {"action": "action taken", "no_action": "no action",
                  "upheld": "upheld", "overturned": "overturned",
                  "partly_overturned": "partly overturned"}


@dataclass(frozen=True)
class ActionView:
    id: int
    kind: str
    label: str
    subject: str
    duration_days: int | None
    label_text: str | None
    ends_at: datetime | None
    effects: list[str]
    state: str
    art17_subject: str | None
    art17_body: str | None
    art17_status: str | None

    @property
    def in_force(self) -> bool:
        return self.state == "in force"


@dataclass(frozen=True)
class StatementView:
    puid: str
    subject: str
    version: int
    status: str


@dataclass(frozen=True)
class DecisionView:
    id: int
    kind: str
    outcome: str
    status: str
    status_key: str
    guideline: str | None
    ground: str | None
    legal_ground: str | None
    explanation: str
    facts: str
    automated_detection: bool
    automated_decision: str
    territorial_scope: str
    decided_by: str
    decided_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    review_note: str | None
    override_reason: str | None
    manifest: bool
    actions: list[ActionView]
    statements: list[StatementView]
    mine: bool
    may_review: bool
    more_actions: int = 0  # beyond the SHOWN_ACTIONS listed
    progress: tuple[int, int] | None = None  # (applied, all) while being applied in chunks
    stalled: str | None = None  # why applying stopped (its job failed for good)


def _effects(a: DecisionAction) -> list[str]:
    before, after = a.before or {}, a.after or {}
    return [f"{k.replace('_', ' ')}: {before.get(k) or '–'} → {after.get(k) or '–'}"
            for k in after]


def _action_state(d: Decision, a: DecisionAction) -> str:
    if a.reversed_by_id:
        return "reversed"
    if a.applied_at is None:
        return "waits for approval" if d.status == "awaiting_approval" else "not applied"
    if a.closed_at is not None:
        return "closed"
    return "in force"


def _scope(codes: list[str]) -> str:
    if set(codes) == set(dsa_schema.EEA):
        return "EEA"
    if set(codes) == set(dsa_schema.EU):
        return "EU"
    return ", ".join(codes) or "–"


def _guideline(g: Guideline | None) -> str | None:
    return f"{g.title} ({g.code}, version {g.version})" if g else None


def decision_view(d: Decision, data: PanelData, viewer: User) -> DecisionView:
    subjects = data.subjects

    def ref(a: DecisionAction) -> str:
        found = subjects.get((a.subject_type, a.subject_id))
        return found.ref if found else f"{a.subject_type}:{a.subject_id}"

    actions = []
    for a in d.actions[:SHOWN_ACTIONS]:
        message = data.art17.get(a.id)
        actions.append(ActionView(
            id=a.id, kind=a.action, label=RULES[ActionKind(a.action)].label, subject=ref(a),
            duration_days=a.duration_days, label_text=a.label, ends_at=a.ends_at,
            effects=_effects(a), state=_action_state(d, a),
            art17_subject=message.subject if message else None,
            art17_body=mask_text(message.body) if message else None,
            art17_status=message.status if message else None))
    names = data.people
    return DecisionView(
        id=d.id, kind="Appeal outcome" if d.kind == "appeal_outcome" else "Decision",
        outcome=OUTCOME_LABELS.get(d.outcome, d.outcome),
        status=STATUS_LABELS.get(d.status, d.status), status_key=d.status,
        guideline=_guideline(d.guideline), ground=d.ground, legal_ground=d.legal_ground,
        explanation=mask_text(d.explanation), facts=mask_text(d.facts),
        automated_detection=d.automated_detection, automated_decision=d.automated_decision,
        territorial_scope=_scope(d.territorial_scope),
        decided_by=names.get(d.decided_by_id or 0, "the desk"), decided_at=d.decided_at,
        approved_by=names.get(d.approved_by_id) if d.approved_by_id else None,
        approved_at=d.approved_at, review_note=mask_text(d.review_note or "") or None,
        override_reason=d.override_reason, manifest=d.manifest, actions=actions,
        statements=[StatementView(s.puid, s.subject_ref, s.version, s.status)
                    for s in data.statements.get(d.id, [])[:SHOWN_ACTIONS]],
        mine=d.decided_by_id == viewer.id,
        may_review=(d.status == "awaiting_approval" and d.decided_by_id != viewer.id
                    and allows(viewer.role, Action.DECISION_APPROVE)),
        more_actions=max(0, len(d.actions) - SHOWN_ACTIONS),
        progress=(sum(a.applied_at is not None for a in d.actions), len(d.actions))
        if d.status == "applying" else None, stalled=data.stalled.get(d.id))


# -- the decision form ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    needs_approval: bool
    duration: str  # none | optional | required
    needs_label: bool


@dataclass(frozen=True)
class SubjectRow:
    index: int
    subject: SubjectState
    choices: list[Choice]
    suggested: str | None
    suggested_days: int | None


@dataclass(frozen=True)
class DecisionForm:
    guidelines: list[tuple[str, str]]
    guideline: Guideline
    ground_label: str
    suggestions: list[str]
    rows: list[SubjectRow]


def choices_for(subject_type: str, approval: dict[ActionKind, bool]) -> list[Choice]:
    return [Choice(k.value, r.label, approval[k], r.duration.value, r.needs_label)
            for k, r in RULES.items() if r.subject_type == subject_type]


def decision_form(data: PanelData, guidelines: list[Guideline], guideline: Guideline,
                  suggestions: list[dict[str, Any]],
                  approval: dict[ActionKind, bool]) -> DecisionForm:
    by_subject = {(s["subject_type"], s["subject_id"]): s for s in suggestions}
    rows, lines = [], []
    for index, subject in enumerate(data.reach):
        step = by_subject.get((subject.type, subject.id))
        if step:
            days = f" for {step['duration_days']} days" if step["duration_days"] else ""
            lines.append(f"{subject.ref}: offence {step['offence']} under this guideline — "
                         f"{RULES[ActionKind(step['action'])].label}{days}")
        rows.append(SubjectRow(index, subject, choices_for(subject.type, approval),
                               step["action"] if step else None,
                               step["duration_days"] if step else None))
    ground = ("illegal content: " + (guideline.legal_ground or "")
              if guideline.default_ground == "illegal_content" else "the terms (guidelines)")
    return DecisionForm([(g.code, f"{g.title} (v{g.version})") for g in guidelines], guideline,
                        ground, lines, rows)


# -- appeal parts --------------------------------------------------------------------------------

OVERRIDE_ROLES = (Role.ADMIN.value, Role.MANAGER.value)


@dataclass(frozen=True)
class AppealView:
    contested: DecisionView | None
    contested_key: str | None
    grounds: str
    informed_at: str | None
    window_ends_at: str | None
    deciders: list[str]
    viewer_decided: bool
    may_override: bool
    decided: bool
    may_decide: bool
    refusal: str | None
    in_force: list[ActionView] = field(default_factory=list)


def appeal_view(data: PanelData, viewer: User) -> AppealView:
    case = data.case
    contested = (decision_view(data.contested, data, viewer)
                 if data.contested is not None else None)
    decider_ids = {int(i) for i in case.details.get("original_decider_ids", [])}
    if data.contested is not None:
        decider_ids |= {i for i in (data.contested.decided_by_id,
                                    data.contested.approved_by_id) if i}
    viewer_decided = viewer.id in decider_ids
    may_override = viewer_decided and viewer.role in OVERRIDE_ROLES
    decided = any(d.kind == "appeal_outcome" for d in data.decisions)
    works = allows(viewer.role, Action.CASE_WORK)
    reason = None
    if viewer_decided and not may_override:
        reason = ("You decided (or approved) the contested decision, so you may not decide "
                  "this appeal: DSA Art. 20 wants another person to look at it again.")
    elif not works:
        reason = f"A {viewer.role} does not decide appeals."
    elif case.status not in DECIDABLE and not decided:
        reason = f"The appeal is {case.status.replace('_', ' ')}: take it on (claim it) first."
    return AppealView(
        contested=contested,
        contested_key=data.contested_case.key if data.contested_case else
        case.details.get("contested_case"),
        grounds=mask_text(case.details.get("grounds") or case.description or ""),
        informed_at=case.details.get("informed_at"),
        window_ends_at=case.details.get("appeal_window_ends_at"),
        deciders=sorted(data.people.get(i, f"user {i}") for i in decider_ids),
        viewer_decided=viewer_decided, may_override=may_override, decided=decided,
        may_decide=reason is None and not decided, refusal=None if decided else reason,
        in_force=[a for a in (contested.actions if contested else []) if a.in_force])


# -- legal notice parts --------------------------------------------------------------------------

@dataclass(frozen=True)
class LetterView:
    id: int
    case_key: str
    kind: str
    status: str
    to: str | None
    role: str
    language: str
    subject: str
    body: str
    held_reason: str | None
    created_at: datetime
    reviewed_at: datetime | None


def letter_view(m: OutboxMessage, case_key: str) -> LetterView:
    return LetterView(m.id, case_key, m.kind.replace("_", " "), m.status,
                      mask_contact(m.recipient), m.recipient_role, m.language, m.subject,
                      mask_text(m.body), m.held_reason, m.created_at, m.reviewed_at)


@dataclass(frozen=True)
class LegalView:
    sender: str | None
    sender_type: str
    organisation: str | None
    contact: str | None
    jurisdiction: str | None
    notice_type: str | None
    legal_basis: str | None
    urls: list[str]
    deadline: datetime | None
    good_faith: bool
    receipts: list[LetterView]
    held: list[LetterView]


def legal_view(data: PanelData, messages: list[OutboxMessage]) -> LegalView:
    case = data.case
    details = case.details
    letters = [letter_view(m, case.key) for m in messages]
    return LegalView(
        sender=mask_requester_name(case.requester_type, case.requester_name),
        sender_type=case.requester_type.replace("_", " "),
        organisation=case.requester_organisation, contact=mask_contact(case.requester_contact),
        jurisdiction=details.get("jurisdiction"), notice_type=details.get("notice_type"),
        legal_basis=details.get("legal_basis"), urls=list(details.get("urls") or []),
        deadline=case.legal_deadline, good_faith=bool(details.get("good_faith_statement")),
        receipts=[letter for letter, m in zip(letters, messages, strict=True)
                  if m.kind == "receipt"],
        held=[letter for letter, m in zip(letters, messages, strict=True)
              if m.status == "held"])


@dataclass(frozen=True)
class Panel:
    """Everything the panel template needs."""

    key: str
    kind: str
    status: str
    decisions: list[DecisionView]
    form: DecisionForm | None
    form_hint: str | None
    appeal: AppealView | None
    legal: LegalView | None
    holds: list[HoldOut] | None
    may_release: bool
    may_hold: bool
    notice: str | None = None
    # What the SOP checklist still blocks (sops.service.gate's message), or None.
    blocked: str | None = None
    # "?subject=…&subject=…": the members picked in the workspace, kept when the guideline
    # changes and the form's rows are drawn again ("" for the case's whole reach).
    selected_query: str = ""

    @property
    def is_appeal(self) -> bool:
        return self.kind == CaseKind.APPEAL

    @property
    def applying(self) -> bool:
        """A decision is being applied in chunks: the panel refreshes itself until it is."""
        return any(d.progress and not d.stalled for d in self.decisions)
