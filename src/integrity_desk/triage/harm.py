"""Is this text harmful to look at, and why: hate speech, a threat of violence, violence,
sexual content. Pure: a text (and an attachment's name and type) in, a verdict out.

No maintained library answers this question offline: the profanity filters on the registry
say "profane" without saying which harm, and the toxicity models load their weights from a hub
at run time, which this desk's machines cannot reach (docs/decisions.md). So the knowledge is
a multilingual lexicon kept as data (``harm_lexicon.json``), reviewed like any other policy
text, and this module only knows how to read it: words (a trailing ``*`` matches any word it
starts), multi-word phrases, and regular expressions for threats, which are sentences rather
than words. Leetspeak (``f4gg0t``) and repeated letters (``biiitch``) are undone first.

The verdict is stored when a review is mirrored and when a case is opened (``reviews.harm``,
``cases.harm``), so lists read a column; nothing re-classifies per row.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

# Most severe first: the label a blurred item shows is the first of its harms.
HARM_ORDER = ("threat", "violence", "hate", "sexual")
HARM_WORDS = {"threat": "threat of violence", "violence": "violence", "hate": "hate speech",
              "sexual": "sexual content"}
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s"})
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_REPEATS = re.compile(r"(.)\1{2,}")
MAX_TEXT = 20_000  # a review is shorter; a pasted letter is read up to here


@dataclass(frozen=True)
class HarmVerdict:
    """Which harms a text carries (codes, most severe first) and what was found."""

    harms: tuple[str, ...] = ()
    found: tuple[str, ...] = ()

    @property
    def harmful(self) -> bool:
        return bool(self.harms)

    @property
    def code(self) -> str | None:
        """The stored form: ``threat,hate``; None when harmless."""
        return ",".join(self.harms) or None

    @property
    def words(self) -> str:
        return harm_words(self.code)


def harm_words(code: str | None) -> str:
    """``threat,hate`` → "threat of violence, hate speech" (the blur's label)."""
    if not code:
        return ""
    return ", ".join(HARM_WORDS.get(c, c) for c in code.split(",") if c)


def parse_harms(code: str | None) -> tuple[str, ...]:
    return tuple(c for c in (code or "").split(",") if c in HARM_WORDS)


def merge_harms(*codes: str | None) -> str | None:
    """The union of stored harms, in severity order (a case's harm is its text's and its
    reviews')."""
    present = {c for code in codes for c in parse_harms(code)}
    return ",".join(h for h in HARM_ORDER if h in present) or None


@dataclass(frozen=True)
class _Category:
    """What to look for of one harm, in the languages one text is read in."""

    words: frozenset[str]  # exact words
    stems: frozenset[str]  # word starts (terms ending in *)
    phrases: re.Pattern[str] | None  # multi-word terms and patterns, as one alternation


@dataclass(frozen=True)
class _Lexicon:
    # category → language → (terms, patterns), as the data file has them
    categories: dict[str, dict[str, tuple[list[str], list[str]]]]
    attachment_terms: dict[str, frozenset[str]]


def _phrase(term: str) -> str:
    body = re.escape(term.rstrip("*")).replace(r"\ ", r"\s+")
    return r"\b" + body + (r"\w*" if term.endswith("*") else r"\b")


def _category(terms: Sequence[str], patterns: Sequence[str]) -> _Category:
    single = [normalise(t.rstrip("*")) + ("*" if t.endswith("*") else "")
              for t in terms if " " not in t]
    multi = [_phrase(normalise(t.rstrip("*")) + ("*" if t.endswith("*") else ""))
             for t in terms if " " in t]
    # One pass over the text for all of them (a search per phrase cost 5 times as much).
    alternatives = [f"(?:{p})" for p in [*multi, *patterns]]
    return _Category(
        words=frozenset(t for t in single if not t.endswith("*")),
        stems=frozenset(t[:-1] for t in single if t.endswith("*")),
        phrases=re.compile("|".join(alternatives)) if alternatives else None)


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    data: dict[str, Any] = json.loads(
        resources.files("integrity_desk.triage").joinpath("harm_lexicon.json")
        .read_text(encoding="utf-8"))
    categories: dict[str, dict[str, tuple[list[str], list[str]]]] = {}
    for name, spec in data["categories"].items():
        terms, patterns = spec.get("terms", {}), spec.get("patterns", {})
        categories[name] = {lang: (terms.get(lang, []), patterns.get(lang, []))
                            for lang in set(terms) | set(patterns)}
    attachment_terms = {k: frozenset(v) for k, v in data["attachments"]["terms"].items()}
    return _Lexicon(categories, attachment_terms)


@lru_cache(maxsize=64)
def _read_in(language: str) -> tuple[tuple[tuple[str, _Category], ...],
                                     dict[str, tuple[str, ...]]]:
    """Each harm's terms for a text in ``language`` ("" unknown), merged once: English
    everywhere (slurs and threats in English travel into every language's reviews), the text's
    own language besides, every language when it is not known. A term that is harmless in
    another language ("bite") is then never read in the wrong one."""
    out = []
    for name, per_language in lexicon().categories.items():
        chosen = [v for lang, v in sorted(per_language.items())
                  if not language or lang in ("en", language)]
        out.append((name, _category([t for terms, _ in chosen for t in terms],
                                    [p for _, patterns in chosen for p in patterns])))
    by_start: dict[str, set[str]] = {}
    for _, category in out:
        for stem in category.stems:
            by_start.setdefault(stem[:3], set()).add(stem)
    return tuple(out), {k: tuple(sorted(v)) for k, v in by_start.items()}


def _folded(text: str) -> str:
    text = text[:MAX_TEXT]
    if not text.isascii():  # ASCII is its own compatibility form
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    return text.replace("\u2019", "'").translate(_LEET)


def normalise(text: str) -> str:
    """Lower case, compatibility forms folded, leetspeak undone, a letter stretched three
    times or more cut to two ("fuuuck" → "fuuck"; ``variants`` also tries one)."""
    return _REPEATS.sub(r"\1\1", _folded(text))


def variants(text: str) -> list[str]:
    """The text normalised and, where a letter was stretched, with it once ("biiitch" →
    "bitch"); a double letter of the text itself ("coon") is never cut to one."""
    folded = _folded(text)
    two, one = _REPEATS.sub(r"\1\1", folded), _REPEATS.sub(r"\1", folded)
    return [two] if one == two else [two, one]


def _prefixes(tokens: set[str], by_start: dict[str, tuple[str, ...]]) -> set[str]:
    """The stems of the lexicon that words of the text start with: each word's first three
    letters pick the few stems worth trying (a dict look-up, not one test per stem)."""
    return {stem for t in tokens for stem in by_start.get(t[:3], ()) if t.startswith(stem)}


def _matches(category: _Category, text: str, tokens: set[str], prefixes: set[str]
             ) -> list[str]:
    words, stems = tokens & category.words, prefixes & category.stems
    found = sorted(words) + sorted(p + "…" for p in stems) if words or stems else []
    if category.phrases is not None:
        found += [m.group(0) for m in category.phrases.finditer(text)]
    return found


def classify(text: str | None, *, language: str | None = None,
             attachments: Iterable[tuple[str | None, str | None]] = ()) -> HarmVerdict:
    """The harms of a text in ``language`` (a code such as ``de``; None when unknown), and of
    attachments given as (file name, content type): a name such as ``beheading.mp4`` or
    ``nudes.zip`` says what a file shows before anyone opens it."""
    categories, by_start = _read_in((language or "").split("-")[0].lower())
    found: dict[str, list[str]] = {}
    for norm in variants(text or ""):
        tokens = set(_WORD.findall(norm))
        prefixes = _prefixes(tokens, by_start)
        for name, category in categories:
            hits = _matches(category, norm, tokens, prefixes)
            if hits:
                found.setdefault(name, []).extend(hits)
    for filename, content_type in attachments:
        name_text = normalise(re.sub(r"[_\-.]+", " ", filename or ""))
        name_tokens = set(_WORD.findall(name_text))
        name_prefixes = _prefixes(name_tokens, by_start)
        kind = (content_type or "").split("/")[0]
        for harm, words in lexicon().attachment_terms.items():
            hits = sorted(name_tokens & words)
            if hits and kind in ("image", "video", "application", ""):
                found.setdefault(harm, []).extend(hits)
        for name, category in categories:
            hits = _matches(category, name_text, name_tokens, name_prefixes)
            if hits:
                found.setdefault(name, []).extend(hits)
    harms = tuple(h for h in HARM_ORDER if h in found)
    return HarmVerdict(harms, tuple(dict.fromkeys(w for h in harms for w in found[h])))
