"""Precedents' pure rules: which terms a text has, which keys a case is found by, and how
alike two cases are. No database here; service.py feeds it."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from integrity_desk.search.text import search_text

MAX_TERMS = 32  # distinct terms kept per case: tweets and reviews say it in fewer
PER_KEY = 150  # newest cases taken per key: bounds a look-up however common the key
SHOWN_TERMS = 5

# Pattern weights beside a text similarity in [0, 1]: the same review or account is strong
# evidence that the earlier decision speaks to this one; a shared category or signal is weak.
WEIGHTS = {"v": 0.6, "r": 0.35, "b": 0.3, "c": 0.1, "s": 0.1}
WHY = {"v": "same review", "r": "same reviewer", "b": "same business", "c": "same category",
       "s": "same signal"}

_WORD = re.compile(r"[^\W\d_][^\W_]{2,}")
_URLISH = re.compile(r"https?://\S+|@\w+|&\w+;")
_STOP_TEXT = """
about above after again against all also and any are aren because been before being below
between both but can cannot could did does doing don down during each few for from further
had has have having her here hers herself him himself his how into its itself just let like
more most much must myself nor not now off once only other ought our ours ourselves out over
own same she should some such than that the their theirs them themselves then there these
they this those through too under until very was wasn were what when where which while who
whom why will with would you your yours yourself yourselves get got one also review reviews
rt amp via http https www com
"""
STOPWORDS = frozenset(_STOP_TEXT.split())


def terms(*texts: str | None, limit: int = MAX_TERMS) -> list[str]:
    """The distinct words of the texts in order of first use, contact details, links and
    handles cut out (as search does), stop words dropped, at most ``limit``."""
    seen: dict[str, None] = {}
    for value in texts:
        if not value:
            continue
        cleaned = _URLISH.sub(" ", search_text(value) or "")
        for word in _WORD.findall(cleaned.lower()):
            if word not in STOPWORDS and len(word) <= 40:
                seen.setdefault(word, None)
                if len(seen) >= limit:
                    return list(seen)
    return list(seen)


@dataclass
class Profile:
    """What a case is compared by: its terms and its pattern keys."""

    terms: list[str] = field(default_factory=list)
    patterns: set[str] = field(default_factory=set)

    def keys(self) -> list[str]:
        return [f"t:{t}" for t in self.terms] + sorted(self.patterns)


def pattern_keys(*, category: str | None, businesses: Iterable[int], reviewers: Iterable[int],
                 reviews: Iterable[int], signals: Iterable[str]) -> set[str]:
    keys = {f"b:{i}" for i in businesses} | {f"r:{i}" for i in reviewers}
    keys |= {f"v:{i}" for i in reviews} | {f"s:{k}" for k in signals}
    if category:
        keys.add(f"c:{category}")
    return keys


def term_weight(found: int) -> float:
    """An IDF from how many of the newest PER_KEY a term's look-up returned: a term found in
    fewer cases than that is rarer (its count is exact), one that filled it weighs 1."""
    return 1.0 + math.log(PER_KEY / max(1, min(found, PER_KEY)))


@dataclass(frozen=True)
class Likeness:
    score: float
    text: float
    shared_terms: list[str]
    why: list[str]


def likeness(profile: Profile, weights: dict[str, float], other_terms: list[str],
             other_patterns: set[str]) -> Likeness:
    """Weighted Jaccard of the term sets (the other case's own terms weigh 1: their rarity is
    not looked up) plus the weights of the patterns the two share."""
    mine = set(profile.terms)
    theirs = set(other_terms)
    shared = mine & theirs
    shared_w = sum(weights.get(t, 1.0) for t in shared)
    union_w = sum(weights.get(t, 1.0) for t in mine) + len(theirs - mine)
    text = shared_w / union_w if union_w else 0.0
    common = profile.patterns & other_patterns
    why = [WHY[k[0]] + ("" if k[0] in "vrb" else f" ({k[2:]})") for k in sorted(common)]
    if len(why) != len(set(why)):
        why = list(dict.fromkeys(why))
    score = text + sum(WEIGHTS.get(k[0], 0.0) for k in common)
    top = sorted(shared, key=lambda t: (-weights.get(t, 1.0), t))[:SHOWN_TERMS]
    return Likeness(round(score, 4), round(text, 4), top, why)
