"""The rules of shielding people from harmful content, without a database: what an item is,
which day an exposure counts on, when a person has had enough for the day, and how the desk
says so.

A day is the UTC day: people have no time zone on the desk yet, and a vendor's shift that
spans midnight UTC starts a new count then (docs/wellbeing.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from integrity_desk.errors import InvalidInput
from integrity_desk.triage.harm import harm_words

_ITEM = re.compile(r"^(case|review):([1-9][0-9]{0,11})$")


@dataclass(frozen=True)
class Item:
    """One thing that can be hidden and revealed: a case's own text, or one review."""

    kind: str  # case | review
    id: int

    @property
    def code(self) -> str:
        return f"{self.kind}:{self.id}"


def parse_item(value: str) -> Item:
    match = _ITEM.match(value.strip())
    if match is None:
        raise InvalidInput("name the item to reveal: case:ID or review:ID", field="item")
    return Item(match.group(1), int(match.group(2)))


def exposure_day(now: datetime) -> date:
    """The UTC day an exposure at ``now`` counts on."""
    return now.astimezone(UTC).date()


def at_cap(seen_today: int, cap: int) -> bool:
    """A person at or over the cap is offered no more harmful work today."""
    return seen_today >= cap


def cap_refusal(seen_today: int, cap: int, *, who: str | None = None) -> str:
    """The rule in words, as a refused claim or My work says it."""
    have = f"{who} has" if who else "you have"
    items = "item" if seen_today == 1 else "items"
    return (f"{have} seen {seen_today} harmful {items} today, the daily limit is {cap}: "
            "cases with harmful content go to others until tomorrow (UTC)")


def hidden_label(code: str | None) -> str:
    """ "Hidden: threat of violence, hate speech" """
    return f"Hidden: {harm_words(code)}"


def reveal_words(payload: dict[str, object]) -> str:
    """The timeline's words for a ``harm.revealed`` event: "revealed hidden content (review
    r50012: threat of violence)"."""
    what = str(payload.get("what") or payload.get("item") or "an item")
    harms = payload.get("harm")
    words = harm_words(",".join(str(h) for h in harms)) if isinstance(harms, list) else ""
    return f"revealed hidden content ({what}: {words})" if words else \
        f"revealed hidden content ({what})"
