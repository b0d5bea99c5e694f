"""The workspace's arithmetic, pure: word differences between copied texts, the days of the
review timeline, and which part of a large graph to draw.

No database here: the workspace reads rows (investigations.workspace) and these functions
shape them, so each is tested on plain values.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Reviewer–reviewer links on a shared device or network are drawn for groups up to this size
# (a shared café network of hundreds is no sign of a ring, and would be n² edges).
MAX_SHARED_GROUP = 12


@dataclass(frozen=True)
class Piece:
    """A run of a copied text: ``same`` as the cluster's first text, ``added`` (in this text
    only) or ``removed`` (in the first text only)."""

    kind: str  # same | added | removed
    text: str


def word_diff(first: str, other: str) -> list[Piece]:
    """``other`` against ``first``, word by word: what the copier changed. White space is
    not a difference (runs of it read as one space); the template puts one between pieces."""
    a, b = first.split(), other.split()
    out: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Piece("same", " ".join(b[j1:j2])))
            continue
        if i2 > i1:
            out.append(Piece("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(Piece("added", " ".join(b[j1:j2])))
    return out


def similarity(pieces: Sequence[Piece]) -> float:
    """Share of the text's characters that are the first text's."""
    kept = sum(len(p.text) for p in pieces if p.kind == "same")
    total = sum(len(p.text) for p in pieces if p.kind != "removed")
    return round(kept / total, 3) if total else 1.0


@dataclass(frozen=True)
class Day:
    day: date
    in_case: int  # the investigation's reviews that day
    around: int  # every review of its businesses that day (None-free: 0 when not read)
    burst: bool


def days(in_case: Iterable[date], around: Mapping[date, int], bursts: Iterable[date], *,
         pad: int = 3) -> list[Day]:
    """Every day from ``pad`` days before the first review to ``pad`` after the last (empty
    days included, so a burst stands out against its quiet neighbours)."""
    counts = Counter(in_case)
    burst_days = set(bursts)
    known = set(counts) | set(around) | burst_days
    if not known:
        return []
    start, end = min(known) - timedelta(days=pad), max(known) + timedelta(days=pad)
    out = []
    day = start
    while day <= end:
        out.append(Day(day, counts.get(day, 0), around.get(day, 0), day in burst_days))
        day += timedelta(days=1)
    return out


def shared_links(holders: Mapping[str, set[int]]) -> Counter[tuple[int, int]]:
    """Pairs of reviewers (lower id first) and how many devices or networks they share."""
    pairs: Counter[tuple[int, int]] = Counter()
    for members in holders.values():
        if not 1 < len(members) <= MAX_SHARED_GROUP:
            continue
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                pairs[(a, b)] += 1
    return pairs


def strongest(weights: Mapping[str, int], limit: int) -> set[str]:
    """The ``limit`` heaviest keys (ties by key): which nodes a large graph draws."""
    return set(sorted(weights, key=lambda k: (-weights[k], k))[:limit])
