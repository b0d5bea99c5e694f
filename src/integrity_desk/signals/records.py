"""The facts every signal reads: reviews and reviewer accounts as plain records.

Signals are pure functions over these records, so the same code runs on rows read from the
desk's database (``idesk signals run``), on a file of the platform's data (the YelpChi
measurement under ``bench/``) and on hand-built fixtures in tests. Keys are the platform's own
references (review and reviewer ``ref``, business ``domain``), never the desk's row ids, so
the evidence a signal stores names what a moderator can look up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One review as the signals see it."""

    review: str  # the review's platform reference
    reviewer: str  # the reviewer account's platform reference
    business: str  # the business's key (its domain)
    day: date  # the day it was published
    rating: int | None = None  # 1-5 stars
    text: str = ""
    # published | removed | hidden: a removed review counts against its reviewer's risk
    status: str = "published"
    device: str | None = None  # a device identifier (hashed by the platform), when known
    network: str | None = None  # a network identifier (e.g. a hashed /24), when known


@dataclass(frozen=True, slots=True)
class ReviewerRecord:
    """One reviewer account as the signals see it."""

    reviewer: str
    joined: date | None = None  # the account's creation day, when known
