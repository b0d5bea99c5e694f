"""Case vocabulary and the lifecycle state machine: pure rules, testable without a database."""

from __future__ import annotations

from enum import StrEnum

from integrity_desk.errors import Conflict


class CaseKind(StrEnum):
    FLAG = "flag"
    CSM_ESCALATION = "csm_escalation"
    EXECUTIVE_ESCALATION = "executive_escalation"
    APPEAL = "appeal"
    LEGAL_NOTICE = "legal_notice"
    TRUSTED_FLAGGER_NOTICE = "trusted_flagger_notice"
    INVESTIGATION = "investigation"


KEY_PREFIX: dict[CaseKind, str] = {
    CaseKind.FLAG: "FLG",
    CaseKind.CSM_ESCALATION: "CSM",
    CaseKind.EXECUTIVE_ESCALATION: "EXE",
    CaseKind.APPEAL: "APL",
    CaseKind.LEGAL_NOTICE: "LGL",
    CaseKind.TRUSTED_FLAGGER_NOTICE: "TFN",
    CaseKind.INVESTIGATION: "INV",
}
PREFIX_KIND = {prefix: kind for kind, prefix in KEY_PREFIX.items()}

# Where a kind starts: 1 vendor moderation, 2 specialist, 3 manager / legal / policy.
DEFAULT_TIER: dict[CaseKind, int] = {
    CaseKind.FLAG: 1,
    CaseKind.CSM_ESCALATION: 2,
    CaseKind.EXECUTIVE_ESCALATION: 2,
    CaseKind.APPEAL: 2,
    CaseKind.LEGAL_NOTICE: 3,
    CaseKind.TRUSTED_FLAGGER_NOTICE: 2,
    CaseKind.INVESTIGATION: 2,
}
MAX_TIER = 3


class Channel(StrEnum):
    API = "api"
    FORM = "form"
    EMAIL = "email"
    BULK_IMPORT = "bulk_import"
    INTERNAL = "internal"
    DETECTOR = "detector"


class CaseStatus(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_ON_REQUESTER = "waiting_on_requester"
    WAITING_ON_LEGAL = "waiting_on_legal"
    DECIDED = "decided"
    CLOSED = "closed"
    MERGED = "merged"


OPEN_STATUSES = frozenset(CaseStatus) - {CaseStatus.CLOSED, CaseStatus.MERGED}
# Waiting on the requester stops the SLA clock; waiting on our own legal team does not.
PAUSING_STATUSES = frozenset({CaseStatus.WAITING_ON_REQUESTER})

_S = CaseStatus
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    _S.NEW: frozenset({_S.TRIAGED, _S.MERGED}),
    _S.TRIAGED: frozenset({_S.ASSIGNED, _S.MERGED}),
    _S.ASSIGNED: frozenset({_S.IN_PROGRESS, _S.TRIAGED, _S.MERGED}),
    _S.IN_PROGRESS: frozenset(
        {_S.WAITING_ON_REQUESTER, _S.WAITING_ON_LEGAL, _S.DECIDED, _S.TRIAGED, _S.MERGED}
    ),
    _S.WAITING_ON_REQUESTER: frozenset({_S.IN_PROGRESS, _S.MERGED}),
    _S.WAITING_ON_LEGAL: frozenset({_S.IN_PROGRESS, _S.MERGED}),
    _S.DECIDED: frozenset({_S.CLOSED, _S.IN_PROGRESS}),
    _S.CLOSED: frozenset({_S.TRIAGED}),
    _S.MERGED: frozenset(),
}

# Named actions people take, mapped onto the target state they move a case to.
ACTIONS: dict[str, CaseStatus] = {
    "start": _S.IN_PROGRESS,
    "wait_on_requester": _S.WAITING_ON_REQUESTER,
    "wait_on_legal": _S.WAITING_ON_LEGAL,
    "resume": _S.IN_PROGRESS,
    "decide": _S.DECIDED,
    "revise": _S.IN_PROGRESS,
    "close": _S.CLOSED,
    "reopen": _S.TRIAGED,
}


def allowed_from(status: CaseStatus | str) -> list[str]:
    return sorted(TRANSITIONS[CaseStatus(status)])


# What a person must say why they do: the reason goes on the timeline (and, for a pause, to
# the SLA report). The API, the console and bulk actions all ask this one rule.
NEEDS_A_REASON = frozenset({"wait_on_requester", "wait_on_legal", "reopen", "revise", "escalate"})


def needs_a_reason(action: str) -> bool:
    return action in NEEDS_A_REASON


def check_transition(current: CaseStatus | str, target: CaseStatus | str) -> None:
    """Raise a 409 that names the current state and the allowed ones."""
    current, target = CaseStatus(current), CaseStatus(target)
    if target not in TRANSITIONS[current]:
        raise Conflict(
            f"a case that is {current.value} cannot become {target.value}",
            field="status",
            current=current.value,
            allowed=allowed_from(current),
        )


def case_key(kind: CaseKind | str, case_id: int) -> str:
    return f"{KEY_PREFIX[CaseKind(kind)]}-{case_id}"


# Case ids are 32-bit integer keys; a larger number can name no case (and would fail in SQL).
MAX_CASE_ID = 2**31 - 1


def _case_number(text: str) -> int | None:
    """ASCII digits only: str.isdigit() also accepts "²", which int() refuses."""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_CASE_ID else None


def parse_case_key(key: str) -> tuple[CaseKind | None, int] | None:
    """``FLG-123`` → (flag, 123); a bare number is accepted too. None when it is no key."""
    key = key.strip().upper()
    if key.isascii() and key.isdigit():
        number = _case_number(key)
        return None if number is None else (None, number)
    prefix, _, text = key.partition("-")
    number = _case_number(text)
    if prefix in PREFIX_KIND and number is not None:
        return PREFIX_KIND[prefix], number
    return None


class Priority(StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def rank(self) -> int:
        return int(self.value[1])

    @classmethod
    def from_rank(cls, rank: int) -> Priority:
        return cls(f"P{rank}")


class RequesterType(StrEnum):
    CONSUMER = "consumer"
    BUSINESS = "business"
    DETECTOR = "automated_detector"
    CSM = "csm"
    EXECUTIVE = "executive"
    LAW_FIRM = "law_firm"
    AUTHORITY = "authority"
    COURT = "court"
    TRUSTED_FLAGGER = "trusted_flagger"
    INTERNAL = "internal"
    REVIEWER = "reviewer"
    NOTIFIER = "notifier"


class GuidelineCategory(StrEnum):
    """The review platform's guideline categories (mapped onto DSA categories in the dsa slice)."""

    FAKE = "fake"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    INCENTIVISED = "incentivised"
    REVIEW_PRESSURE = "review_pressure"
    HARMFUL_ILLEGAL = "harmful_illegal"
    PERSONAL_INFORMATION = "personal_information"
    ADVERTISING_SPAM = "advertising_spam"
    OFFENSIVE_LANGUAGE = "offensive_language"
    NOT_EXPERIENCE = "not_experience"
    DUPLICATE = "duplicate"
    OTHER = "other"


# Categories and kinds in the users' words, for titles, lists and the case view ("Harmful or
# illegal content", not harmful_illegal), here next to the codes: a new code without words
# fails tests/cases/test_words.py instead of showing up raw.
CATEGORY_WORDS: dict[str, str] = {
    GuidelineCategory.FAKE: "Fake review",
    GuidelineCategory.CONFLICT_OF_INTEREST: "Conflict of interest",
    GuidelineCategory.INCENTIVISED: "Incentivised review",
    GuidelineCategory.REVIEW_PRESSURE: "Review pressure",
    GuidelineCategory.HARMFUL_ILLEGAL: "Harmful or illegal content",
    GuidelineCategory.PERSONAL_INFORMATION: "Personal information",
    GuidelineCategory.ADVERTISING_SPAM: "Advertising or spam",
    GuidelineCategory.OFFENSIVE_LANGUAGE: "Offensive language",
    GuidelineCategory.NOT_EXPERIENCE: "Not a genuine experience",
    GuidelineCategory.DUPLICATE: "Duplicate review",
    GuidelineCategory.OTHER: "Other",
}
KIND_WORDS: dict[str, str] = {
    CaseKind.FLAG: "Flag",
    CaseKind.CSM_ESCALATION: "CSM escalation",
    CaseKind.EXECUTIVE_ESCALATION: "Executive escalation",
    CaseKind.APPEAL: "Appeal",
    CaseKind.LEGAL_NOTICE: "Legal notice",
    CaseKind.TRUSTED_FLAGGER_NOTICE: "Trusted-flagger notice",
    CaseKind.INVESTIGATION: "Investigation",
}
def in_words(code: str | None) -> str:
    """A category or kind in the users' words; any other code (a status, a role) with its
    underscores read as spaces ("waiting_on_requester" -> "waiting on requester")."""
    if not code:
        return ""
    for table in (CATEGORY_WORDS, KIND_WORDS):
        if code in table:
            return table[code]
    return code.replace("_", " ")
