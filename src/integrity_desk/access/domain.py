"""Who may do what: the role × action matrix, as data.

Routes name the action they perform (``api.deps.allow``); the matrix answers whether a role may
perform it. docs/access.md prints this table, and a test checks that every route of the OpenAPI
document names an action and that each role is let in or refused exactly as the table says.
What a role may *see* within an allowed action (which cases) is a query, not a rule here: see
``cases.repository.readable_clause``. Personal data is masked for every role in every response;
``pii.reveal`` is the one explicit, recorded way to see it.
"""

from __future__ import annotations

from enum import StrEnum

from integrity_desk.people.models import WORKING_ROLES, Role


class Action(StrEnum):
    CASE_READ = "case.read"
    CASE_CREATE = "case.create"
    CASE_WORK = "case.work"
    DECISION_APPROVE = "decision.approve"
    GUIDELINE_MANAGE = "guideline.manage"
    MISUSE_MANAGE = "misuse.manage"
    FLAGGER_MANAGE = "flagger.manage"
    MESSAGE_REVIEW = "message.review"
    MESSAGE_REPLAY = "message.replay"
    PII_REVEAL = "pii.reveal"
    MAIL_READ = "mail.read"
    LEGAL_HOLD = "legal.hold"
    QUEUE_READ = "queue.read"
    QUEUE_MANAGE = "queue.manage"
    OVERVIEW_READ = "overview.read"
    KPI_READ = "kpi.read"
    CONFIG_READ = "config.read"
    CONFIG_MANAGE = "config.manage"
    SELF = "self"
    USER_MANAGE = "user.manage"
    WEBHOOK_MANAGE = "webhook.manage"
    REQUEST_RAISE = "request.raise"
    WORKFORCE_MANAGE = "workforce.manage"
    QA_REVIEW = "qa.review"
    QA_MANAGE = "qa.manage"
    DATA_IMPORT = "data.import"
    SIGNALS_READ = "signals.read"
    EVIDENCE_EXPORT = "evidence.export"


DESCRIPTIONS: dict[Action, str] = {
    Action.CASE_READ: "list, open and search cases, their timelines and linked requests "
                      "(only the cases the role may see)",
    Action.CASE_CREATE: "open cases through the API (intake, batches of flags)",
    Action.CASE_WORK: "claim, assign, release, move along the lifecycle, comment, edit, "
                      "escalate, merge, split",
    Action.DECISION_APPROVE: "approve or reject another person's decision that needs four "
                             "eyes",
    Action.GUIDELINE_MANAGE: "edit guidelines (each edit a new version)",
    Action.FLAGGER_MANAGE: "register trusted flaggers (DSA Art. 22) and change their areas or "
                           "status",
    Action.MESSAGE_REVIEW: "review and release letters held for counsel (a legal notice's "
                           "outcome letter)",
    Action.MESSAGE_REPLAY: "see the outbox's e-mail delivery (queued, sent and dead messages "
                           "with the mail server's answers) and replay dead letters",
    Action.MISUSE_MANAGE: "see misuse counters (DSA Art. 23) and warn or suspend who crossed "
                          "the line",
    Action.PII_REVEAL: "see a case's personal data unmasked, giving a reason that the timeline "
                       "and the audit log record (everyone else sees it masked)",
    Action.MAIL_READ: "download the mail a case received: each attachment and the raw "
                      "message (personal data unmasked, so only for the roles that may reveal "
                      "it; every download recorded on the timeline)",
    Action.LEGAL_HOLD: "place, lift and list legal holds on cases and subjects (a held case's "
                       "personal data outlives retention)",
    Action.QUEUE_READ: "see queues and their counts",
    Action.QUEUE_MANAGE: "create and configure queues",
    Action.OVERVIEW_READ: "see the manager overview: backlog, at-risk cases, breaches, inflow "
                          "and outflow",
    Action.KPI_READ: "see the KPIs (SLA attainment, backlog and its age, flow, AHT, "
                     "occupancy, reopen and overturn rates) per period by queue, kind, "
                     "priority, team, vendor and guideline, the manager's dashboard and the "
                     "weekly reports; figures by person are for managers only",
    Action.CONFIG_READ: "read triage rules, SLA policies and calendars",
    Action.CONFIG_MANAGE: "change triage rules, SLA policies and calendars",
    Action.SELF: "see one's own account and working profile (skills, capacity, shifts, "
                 "availability); set one's own availability; make, list and revoke one's own "
                 "API tokens",
    Action.USER_MANAGE: "add people, reset passwords, deactivate and reactivate accounts, list "
                        "and revoke anyone's API tokens (admin-scoped token or an admin's "
                        "browser session)",
    Action.WEBHOOK_MANAGE: "subscribe other systems to case events (webhooks): add, change, "
                           "rotate secrets, read the delivery log, replay dead letters",
    Action.REQUEST_RAISE: "raise a CSM or executive escalation with the console's request "
                          "form, and follow one's own requests (My requests)",
    Action.WORKFORCE_MANAGE: "see vendors with their contracts (KPI targets, weekly volume "
                             "commitments, languages, hours of coverage); add and change "
                             "teams and vendors, set contracts and commitments; see everyone's "
                             "working profile and readiness, change their skills, capacity, "
                             "shifts, exceptions and availability",
    Action.QA_REVIEW: "work the QA queue: take drawn decisions (never one's own) and judge "
                      "them on the review form",
    Action.QA_MANAGE: "edit QA sampling plans and review forms, run the draw, see every QA "
                      "item and settle disputes (never about one's own decision or review)",
    Action.DATA_IMPORT: "push the platform's businesses, reviewer accounts, reviews and flags "
                        "in bulk (NDJSON), as `idesk import` does from files",
    Action.SIGNALS_READ: "read the fraud signals' findings (bursts, copied texts, rings, "
                         "risky accounts) with their evidence and the case that holds each",
    Action.EVIDENCE_EXPORT: "download a case's evidence bundle (snapshots, attachments, "
                            "statements of reasons, the hash-chained timeline; its hash "
                            "recorded on the timeline)",
}

_EVERYONE = frozenset(Role)
_WORKERS = WORKING_ROLES
_MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})

MATRIX: dict[Action, frozenset[Role]] = {
    Action.CASE_READ: _EVERYONE,
    Action.CASE_CREATE: _WORKERS,
    Action.CASE_WORK: _WORKERS,
    Action.DECISION_APPROVE: frozenset({Role.ADMIN, Role.MANAGER, Role.SPECIALIST, Role.LEGAL}),
    Action.GUIDELINE_MANAGE: frozenset({Role.ADMIN, Role.MANAGER, Role.POLICY}),
    Action.MISUSE_MANAGE: frozenset({Role.ADMIN, Role.MANAGER, Role.LEGAL}),
    Action.FLAGGER_MANAGE: frozenset({Role.ADMIN, Role.MANAGER, Role.LEGAL}),
    Action.MESSAGE_REVIEW: frozenset({Role.ADMIN, Role.MANAGER, Role.LEGAL}),
    Action.MESSAGE_REPLAY: _MANAGERS,
    Action.PII_REVEAL: frozenset({Role.ADMIN, Role.MANAGER, Role.SPECIALIST, Role.LEGAL}),
    Action.MAIL_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.SPECIALIST, Role.LEGAL}),
    Action.LEGAL_HOLD: frozenset({Role.ADMIN, Role.MANAGER, Role.LEGAL}),
    Action.QUEUE_READ: _EVERYONE,
    Action.QUEUE_MANAGE: _MANAGERS,
    Action.OVERVIEW_READ: _MANAGERS,
    # Stakeholders (Sales, CS, Product, Engineering, WFM: the viewer role) read the desk's
    # figures; names of people stay with the managers (kpis.service.check_dimension).
    Action.KPI_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.VIEWER}),
    Action.CONFIG_READ: _EVERYONE,
    Action.CONFIG_MANAGE: _MANAGERS,
    Action.SELF: _EVERYONE,
    Action.USER_MANAGE: frozenset({Role.ADMIN}),
    Action.WEBHOOK_MANAGE: _MANAGERS,
    # Stakeholders (CSMs, executives: the viewer role) raise requests; so may the desk's leads
    # and specialists on their behalf. Vendor agents, counsel and policy do not.
    Action.REQUEST_RAISE: frozenset({Role.ADMIN, Role.MANAGER, Role.SPECIALIST, Role.VIEWER}),
    # A vendor's contract is commercial: its leads' business, not the vendor's agents'. The
    # list of teams is no secret (queues show theirs): GET /teams asks queue.read.
    Action.WORKFORCE_MANAGE: _MANAGERS,
    # QA reviewers are the desk's own senior people; a vendor's agents are reviewed, and
    # counsel and policy answer other questions.
    Action.QA_REVIEW: frozenset({Role.ADMIN, Role.MANAGER, Role.SPECIALIST}),
    Action.QA_MANAGE: _MANAGERS,
    # The platform's own feed, run under an integration account's token: the desk's leads
    # and admins hold those accounts, no case worker does.
    Action.DATA_IMPORT: _MANAGERS,
    # Investigations are the desk's own senior work: its leads and specialists.
    Action.SIGNALS_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.SPECIALIST}),
    # The proof goes to counsel and regulators: the desk's leads and specialists build it,
    # counsel takes it; a vendor's agents do not hand evidence out.
    Action.EVIDENCE_EXPORT: frozenset({Role.ADMIN, Role.MANAGER, Role.SPECIALIST, Role.LEGAL}),
}

# Actions that also need a token with the admin scope (a browser session counts as admin-scoped
# only for an admin).
ADMIN_SCOPED = frozenset({Action.USER_MANAGE})


def allows(role: Role | str, action: Action) -> bool:
    return Role(role) in MATRIX[action]


def roles_for(action: Action) -> list[str]:
    return [r.value for r in Role if r in MATRIX[action]]


def matrix_markdown() -> str:
    """The matrix as the Markdown table docs/access.md shows (a test keeps the two equal)."""
    roles = list(Role)
    lines = ["| action | " + " | ".join(r.value for r in roles) + " | what it covers |",
             "|---|" + "---|" * len(roles) + "---|"]
    for action in Action:
        marks = " | ".join("✓" if r in MATRIX[action] else "–" for r in roles)
        lines.append(f"| `{action.value}` | {marks} | {DESCRIPTIONS[action]} |")
    return "\n".join(lines)
