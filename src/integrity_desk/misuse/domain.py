"""Misuse (DSA Art. 23): who frequently posts manifestly illegal content, or frequently sends
manifestly unfounded notices or complaints — counted over a window, absolute and as a share of
all their items — and the measure that follows: a warning first, then a suspension.

A person decides; the counters only show who crossed the lines. Each suspension falls in one of
the three buckets of Art. 24(1)(b), which the transparency report counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Bucket(StrEnum):
    ILLEGAL_CONTENT = "illegal_content"
    UNFOUNDED_NOTICES = "unfounded_notices"
    UNFOUNDED_COMPLAINTS = "unfounded_complaints"


class PartyType(StrEnum):
    REVIEWER = "reviewer"  # posts content
    NOTIFIER = "notifier"  # sends notices or complaints (by their e-mail address)


class Measure(StrEnum):
    WARNING = "warning"
    SUSPENSION = "suspension"


@dataclass(frozen=True)
class Line:
    """Crossed when at least ``count`` manifest items make at least ``share`` of all items."""

    count: int
    share: float
    suspension_days: int


WINDOW = timedelta(days=365)
LINES: dict[Bucket, Line] = {
    Bucket.ILLEGAL_CONTENT: Line(count=3, share=0.2, suspension_days=90),
    Bucket.UNFOUNDED_NOTICES: Line(count=5, share=0.5, suspension_days=30),
    Bucket.UNFOUNDED_COMPLAINTS: Line(count=3, share=0.5, suspension_days=30),
}
PARTY_OF: dict[Bucket, PartyType] = {
    Bucket.ILLEGAL_CONTENT: PartyType.REVIEWER,
    Bucket.UNFOUNDED_NOTICES: PartyType.NOTIFIER,
    Bucket.UNFOUNDED_COMPLAINTS: PartyType.NOTIFIER,
}


@dataclass(frozen=True)
class Counter:
    bucket: Bucket
    manifest: int
    total: int

    @property
    def share(self) -> float:
        return self.manifest / self.total if self.total else 0.0

    @property
    def crossed(self) -> bool:
        line = LINES[self.bucket]
        return self.manifest >= line.count and self.share >= line.share


def next_measure(warned_at: datetime | None, now: datetime, *,
                 new_misuse: int) -> Measure | None:
    """A warning first; a suspension only for misuse recorded *after* a warning given within
    the window (Art. 23(1) "after having issued a prior warning": the warning must have had
    the chance to change behaviour, so the items that earned it cannot also earn the
    suspension). ``new_misuse`` counts the manifest items recorded after the party's latest
    measure. None: warned within the window and nothing new since — neither a second warning
    nor another suspension is due."""
    if warned_at is None or now - warned_at > WINDOW:
        return Measure.WARNING
    return Measure.SUSPENSION if new_misuse > 0 else None


def notifier_key(contact: str | None) -> str | None:
    """Notifiers are known by their e-mail address, compared case-insensitively."""
    return contact.strip().lower() if contact and "@" in contact else None


NOTICE_KINDS = frozenset({"flag", "legal_notice", "trusted_flagger_notice"})


def manifest_bucket(*, decision_kind: str, outcome: str, ground: str | None,
                    case_kind: str) -> Bucket | None:
    """Which Art. 23 counter a decision marked "manifest" feeds, or None if the mark cannot
    apply: manifestly illegal content acted on, a manifestly unfounded notice left without
    action, or a manifestly unfounded complaint whose decision was upheld."""
    if decision_kind == "decision" and outcome == "action" and ground == "illegal_content":
        return Bucket.ILLEGAL_CONTENT
    if decision_kind == "decision" and outcome == "no_action" and case_kind in NOTICE_KINDS:
        return Bucket.UNFOUNDED_NOTICES
    if decision_kind == "appeal_outcome" and outcome == "upheld":
        return Bucket.UNFOUNDED_COMPLAINTS
    return None
