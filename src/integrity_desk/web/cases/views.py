"""What the case view shows, shaped from the services' answers (no queries here).

Personal data is masked as cases/schemas.py masks it for the API; the reveal is the one way to
see it, and only through privacy.service.reveal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from integrity_desk.audit.timeline import FILTERS, TimelineEvent
from integrity_desk.cases.domain import (
    MAX_TIER,
    OPEN_STATUSES,
    CaseStatus,
    allowed_from,
    in_words,
)
from integrity_desk.cases.history import OtherCase, SubjectRef
from integrity_desk.cases.models import Case
from integrity_desk.decisions.history import DecisionBrief
from integrity_desk.people.models import User
from integrity_desk.privacy.domain import mask_contact, mask_requester_name, mask_text
from integrity_desk.sla.service import first_response_clock, resolution_clock
from integrity_desk.subjects.history import (
    BusinessFacts,
    ReviewerFacts,
    ReviewFacts,
    SubjectFacts,
)
from integrity_desk.wellbeing.domain import reveal_words

FILTER_LABELS = {"all": "All", "comments": "Comments", "state": "State changes", "sla": "SLA",
                 "audit": "Audit"}
STATE_LABELS = {"on_track": "on track", "at_risk": "at risk", "breached": "breached",
                "paused": "paused", "met": "met"}


def label(value: str | None) -> str:
    """A code in words: ``harmful_illegal`` → "Harmful or illegal content",
    ``waiting_on_requester`` → "waiting on requester" (cases.domain.in_words)."""
    return in_words(value)


@dataclass(frozen=True)
class Clock:
    name: str
    state: str | None  # on_track | at_risk | breached | paused | met | None (no target)
    due_at: datetime | None
    at_risk_at: datetime | None
    done_at: datetime | None
    ticking: bool = False  # running: clock.js counts it down
    words: str = ""  # a stopped clock's outcome: "met", "breached by 2 h", "paused, 40 m left"

    @property
    def state_label(self) -> str:
        if not self.ticking and self.words and self.words != "–":
            return self.words
        return STATE_LABELS.get(self.state or "", "no target")


@dataclass(frozen=True)
class HeaderView:
    key: str
    kind: str
    title: str
    description: str
    status: str
    priority: str
    score: int
    reasons: list[dict[str, Any]]
    tier: int
    queue: str | None
    assignee: str | None
    assigned_to_me: bool
    clocks: list[Clock]
    paused_since: datetime | None
    language: str | None
    category: str | None
    channel: str
    tags: list[str]
    legal_deadline: datetime | None
    legal_restricted: bool
    merged_into: str | None
    created_at: datetime
    updated_at: datetime
    linked_requests: int
    id: int = 0
    text_harm: str | None = None  # harmful to view in its own title and description
    harm: str | None = None  # harmful to view anywhere in it (its text or its reviews)


def header_view(case: Case, *, viewer: User, now: datetime, merged_into: str | None) -> HeaderView:
    fr = first_response_clock(case, now)
    res = resolution_clock(case, now)
    clocks = [
        Clock("First response", fr.state.value if fr.state else None, case.first_response_due_at,
              case.first_response_at_risk_at, fr.finished_at, fr.ticking, fr.words),
        Clock("Resolution", res.state.value if res.state else None, case.resolution_due_at,
              case.resolution_at_risk_at, res.finished_at, res.ticking, res.words),
    ]
    assignee = case.assignee if case.assignee_id else None
    return HeaderView(
        key=case.key, kind=case.kind, title=mask_text(case.title),
        description=mask_text(case.description or ""), status=case.status,
        priority=f"P{case.priority}", score=case.priority_score,
        reasons=list(case.priority_reasons or []), tier=case.tier,
        queue=case.queue.name if case.queue else None,
        assignee=assignee.name if assignee else None,
        assigned_to_me=case.assignee_id == viewer.id, clocks=clocks,
        paused_since=case.sla_paused_at, language=case.language, category=case.category,
        channel=case.channel, tags=list(case.tag_list or []), legal_deadline=case.legal_deadline,
        legal_restricted=case.legal_restricted, merged_into=merged_into,
        created_at=case.created_at, updated_at=case.updated_at,
        linked_requests=case.linked_request_count, id=case.id, text_harm=case.text_harm,
        harm=case.harm)


@dataclass(frozen=True)
class Assignable:
    id: int
    name: str
    role: str
    team: str | None


@dataclass
class ActionsView:
    """The actions this person may take on the case in its current status."""

    may_work: bool
    role_may_work: bool
    comment: bool = False
    claim: bool = False
    start: bool = False
    assign: list[Assignable] = field(default_factory=list)
    release: bool = False
    wait: bool = False
    resume: bool = False
    escalate_to: int | None = None
    merge: bool = False
    close: bool = False
    reopen: bool = False
    reply: bool = False  # write to the requester (who left an address)
    held_for_counsel: bool = False  # a reply waits for counsel's review before it goes out

    @property
    def any(self) -> bool:
        return any((self.comment, self.claim, self.start, self.assign, self.release, self.wait,
                    self.resume, self.escalate_to, self.merge, self.close, self.reopen,
                    self.reply))


def actions_view(case: Case, *, role_may_work: bool, may_work: bool,
                 assignees: list[User], may_assign: bool = False) -> ActionsView:
    """What to offer: the status machine (cases.domain) and the services' own preconditions,
    so a button shown is one the service accepts (it still checks: a stale page is refused).
    ``may_assign``: the person may hand the case to someone even where they may not work it
    (a lead without the certification its queue requires)."""
    # Commenting asks only the role (as the API does): whoever may read a case and works
    # cases may leave a note on it, e.g. a specialist on a tier-3 case.
    view = ActionsView(may_work=may_work, role_may_work=role_may_work, comment=role_may_work)
    status = CaseStatus(case.status)
    is_open = status in OPEN_STATUSES
    if role_may_work and (may_work or may_assign) and is_open and status != CaseStatus.NEW:
        view.assign = [Assignable(u.id, u.name, u.role, u.team.name if u.team else None)
                       for u in assignees if u.id != case.assignee_id]
    if not (role_may_work and may_work):
        return view
    allowed = set(allowed_from(status))
    view.claim = status == CaseStatus.TRIAGED
    view.start = status == CaseStatus.ASSIGNED
    view.release = status in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)
    view.wait = CaseStatus.WAITING_ON_REQUESTER in allowed
    view.resume = status in (CaseStatus.WAITING_ON_REQUESTER, CaseStatus.WAITING_ON_LEGAL)
    view.escalate_to = case.tier + 1 if is_open and case.tier < MAX_TIER else None
    view.merge = CaseStatus.MERGED in allowed
    view.close = status == CaseStatus.DECIDED
    view.reopen = status == CaseStatus.CLOSED
    view.reply = bool(case.requester_contact) and status != CaseStatus.MERGED
    view.held_for_counsel = case.kind == "legal_notice"
    return view


@dataclass(frozen=True)
class RequesterView:
    type: str
    name: str | None
    organisation: str | None
    contact: str | None
    customer_tier: str | None
    revenue_at_stake: int | None
    revealed: bool
    erased_at: datetime | None
    may_reveal: bool
    description: str | None = None  # unmasked, only when revealed


def requester_view(case: Case, *, may_reveal: bool, revealed: bool = False) -> RequesterView:
    name, contact = case.requester_name, case.requester_contact
    if not revealed:
        name = mask_requester_name(case.requester_type, name)
        contact = mask_contact(contact)
    has_personal_data = bool(case.requester_name or case.requester_contact)
    return RequesterView(
        type=case.requester_type, name=name, organisation=case.requester_organisation,
        contact=contact, customer_tier=case.customer_tier,
        revenue_at_stake=case.revenue_at_stake, revealed=revealed,
        erased_at=case.pii_erased_at, may_reveal=may_reveal and has_personal_data and not revealed,
        description=case.description if revealed else None)


@dataclass(frozen=True)
class ReviewView:
    facts: ReviewFacts
    text: str  # masked
    role: str
    business: BusinessFacts | None
    reviewer: ReviewerFacts | None


@dataclass(frozen=True)
class OwnerView:
    """A business or reviewer with its history on the desk."""

    type: str
    id: int
    business: BusinessFacts | None
    reviewer: ReviewerFacts | None
    role: str | None  # primary | related when the case names it itself
    other_reviews: list[ReviewFacts]
    other_cases: list[OtherCase]


@dataclass
class SubjectsView:
    reviews: list[ReviewView]
    owners: list[OwnerView]
    # Other cases about each review, by review id.
    review_cases: dict[int, list[OtherCase]]
    decisions: list[DecisionBrief]
    case_keys: dict[int, str]

    @property
    def empty(self) -> bool:
        return not (self.reviews or self.owners)


def subjects_view(subjects: list[SubjectRef], facts: SubjectFacts,
                  others: dict[tuple[str, int], list[OtherCase]],
                  decisions: list[DecisionBrief]) -> SubjectsView:
    roles = {(s.type, s.id): s.role for s in subjects}
    reviews = [ReviewView(facts.reviews[s.id], mask_text(facts.reviews[s.id].text), s.role,
                          facts.businesses.get(facts.reviews[s.id].business_id or 0),
                          facts.reviewers.get(facts.reviews[s.id].reviewer_id or 0))
               for s in subjects if s.type == "review" and s.id in facts.reviews]
    owners = [OwnerView("business", b.id, b, None, roles.get(("business", b.id)),
                        _masked(facts.other_reviews.get(("business", b.id), [])),
                        others.get(("business", b.id), []))
              for b in facts.businesses.values()]
    owners += [OwnerView("reviewer", p.id, None, p, roles.get(("reviewer", p.id)),
                         _masked(facts.other_reviews.get(("reviewer", p.id), [])),
                         others.get(("reviewer", p.id), []))
               for p in facts.reviewers.values()]
    keys = {c.id: c.key for cases in others.values() for c in cases}
    return SubjectsView(reviews, owners,
                        {s.id: others.get(("review", s.id), []) for s in subjects
                         if s.type == "review"}, decisions, keys)


def _masked(reviews: list[ReviewFacts]) -> list[ReviewFacts]:
    return [replace(r, text=mask_text(r.text)) for r in reviews]


@dataclass(frozen=True)
class EventView:
    id: int
    kind: str
    category: str
    actor: str
    occurred_at: datetime
    summary: str
    detail: str | None  # a comment's text, or the reason given


@dataclass(frozen=True)
class TimelineView:
    key: str
    show: str
    events: list[EventView]
    older: int | None
    filters: list[tuple[str, str]] = field(
        default_factory=lambda: [(k, FILTER_LABELS[k]) for k in FILTERS])


MESSAGE_WORDS = {"receipt": "the receipt", "decision_notice": "the decision notice",
                 "appeal_outcome": "the appeal outcome",
                 "statement_of_reasons": "the statement of reasons",
                 "documentation_request": "the request for documentation", "reply": "the reply"}


def _message_event(status: str, p: dict[str, Any]) -> str:
    """A letter's life on the timeline, in words: what, to whom, and what became of it, or why
    not and what happens next (the payload holds codes and roles, never the address)."""
    what = MESSAGE_WORDS.get(p.get("kind") or "", "the letter")
    to = f" to the {label(p['to'])}" if p.get("to") else ""
    code = f" (the mail server answered {p['code']})" if p.get("code") else ""
    match status:
        case "queued":
            return f"queued {what}{to} for sending"
        case "held":
            return f"held {what}{to} for counsel's review"
        case "no_address":
            return f"recorded {what}{to} (no address here: the platform delivers it)"
        case "released":
            return f"released letter {p.get('message_id')} for sending"
        case "sent":
            return f"sent {what}{to} by e-mail"
        case "retrying":
            when = str(p.get("next_attempt_at") or "")[:16].replace("T", " ")
            again = f"; tries again after {when} UTC" if when else "; tries again later"
            return f"could not deliver {what}{to}, attempt {p.get('attempt', '?')}{code}{again}"
        case "dead":
            why = f": {p['error']}" if p.get("error") else ""
            return (f"gave up delivering {what}{to} after attempt {p.get('attempt', '?')}"
                    f"{code}{why}; it can be replayed from the outbox")
        case "replayed":
            return f"queued {what}{to} again for delivery (replayed)"
        case "bounced" | "delayed":
            state = f" ({p['status']})" if p.get("status") else ""
            why = f": {p['diagnostic']}" if p.get("diagnostic") else ""
            if status == "delayed":
                return (f"the recipient's mail server has not delivered {what}{to} yet"
                        f"{state}{why}")
            return (f"{what}{to} bounced: the recipient's mail server could not deliver it"
                    f"{state}{why}; the person was not told by e-mail")
    return f"{what}{to}: {label(status)}"


def _describe(kind: str, p: dict[str, Any]) -> str:
    if kind == "comment":
        return "commented"
    if kind == "case.status_changed":
        return f"moved the case from {label(p.get('before'))} to {label(p.get('after'))}"
    if kind == "case.assigned":
        return f"assigned the case to {p.get('assignee') or 'someone'}"
    if kind == "case.claimed":
        return "claimed the case"
    if kind == "case.released":
        return "released the case to its queue"
    if kind == "case.aged":  # the ageing job (routing.ageing); its reason is the detail
        return f"raised the priority from {p.get('before')} to {p.get('after')}"
    if kind == "case.escalated":
        after = p.get("after") or {}
        return f"escalated the case to tier {after.get('tier', '?')}"
    if kind == "case.merged":
        return f"merged this case into {p.get('into')}"
    if kind == "case.merged_in":
        return f"merged {p.get('from')} into this case"
    if kind == "case.created":
        return "opened the case"
    if kind == "case.routed":
        return f"routed the case to {p.get('queue') or 'no queue'}" + (
            f" and gave it to {p['assignee']}" if p.get("assignee") else "")
    if kind == "request.linked":
        return "linked a further request to the case"
    if kind == "case.edited":
        return "edited " + ", ".join(sorted((p.get("changes") or {}).keys()) or ["the case"])
    if kind == "pii.revealed":
        return "revealed the personal data (" + ", ".join(p.get("fields") or []) + ")"
    if kind == "harm.revealed":
        return reveal_words(p)
    if kind == "case.viewed":
        return f"read the legal-restricted case ({p.get('what', 'case')})"
    if kind.startswith("message."):
        return _message_event(kind.removeprefix("message."), p)
    if kind in ("sop.item_ticked", "sop.item_unticked"):
        done = "ticked" if kind == "sop.item_ticked" else "unticked"
        sop = str(p.get("sop") or "").replace("_", " ")
        return f"{done} “{p.get('text') or p.get('item')}” on the checklist ({sop} SOP)"
    if kind.startswith("sla."):
        return label(kind.removeprefix("sla.")).replace(".", " ") + " (SLA)"
    if kind in ("case.member_added", "case.member_dropped"):  # investigations.members
        what = {"review": "review", "reviewer": "account", "business": "business"}.get(
            p.get("type"), "member")
        if kind == "case.member_dropped":
            return f"dropped the {what} {p.get('ref')} from the investigation"
        count = p.get("count", 0)
        return f"added {count} {what}{'' if count == 1 else 's'} to the investigation"
    if kind == "decision.chunk_applied":  # decisions.applying
        return (f"applied decision {p.get('decision_id')} to {p.get('applied', 0):,} of its "
                f"{p.get('total', 0):,} subjects")
    if kind == "decision.resumed":
        return f"resumed applying decision {p.get('decision_id')}"
    if kind == "evidence.captured":  # evidence.service
        n = p.get("snapshots", 0)
        kept = f"kept {n} evidence snapshot{'' if n == 1 else 's'}"
        if p.get("occasion") == "decided":
            return f"{kept} of what decision {p.get('decision_id')} acts on"
        return f"{kept} of the subjects as examined"
    if kind == "evidence.exported":
        return f"exported the evidence bundle (SHA-256 {str(p.get('sha256'))[:16]}…)"
    if kind == "signals.found":
        found = len(p.get("findings") or [])
        return (f"found {found} pattern{'s' if found != 1 else ''} on {p.get('business')}"
                + (" and opened this case" if p.get("opened") else ""))
    return label(kind).replace(".", " ")


def event_view(event: TimelineEvent) -> EventView:
    p = event.payload
    # A routing choice says why in "routing" (docs/routing.md): shown like a reason.
    detail = p.get("body") if event.kind == "comment" else (
        p.get("reason") or p.get("routing") or p.get("note"))
    if event.kind == "signals.found":  # what each signal found, in its own words
        detail = "\n".join(f"{f.get('explanation')} (strength {f.get('strength')})"
                            for f in p.get("findings") or [])
    return EventView(event.id, event.kind, event.category, event.actor, event.occurred_at,
                     _describe(event.kind, p), detail if isinstance(detail, str) else None)


def timeline_view(key: str, show: str, events: list[TimelineEvent],
                  older: int | None) -> TimelineView:
    return TimelineView(key, show, [event_view(e) for e in events], older)
