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
    words: frozenset[str]  # exact words
    stems: tuple[str, ...]  # word starts (term ended in *)
    phrases: tuple[re.Pattern[str], ...]  # multi-word terms and patterns


@dataclass(frozen=True)
class _Lexicon:
    # category → language → what to look for
    categories: dict[str, dict[str, _Category]]
    attachment_terms: dict[str, frozenset[str]]


def _phrase(term: str) -> re.Pattern[str]:
    body = re.escape(term.rstrip("*")).replace(r"\ ", r"\s+")
    return re.compile(r"\b" + body + (r"\w*" if term.endswith("*") else r"\b"))


def _category(terms: Sequence[str], patterns: Sequence[str]) -> _Category:
    single = [normalise(t.rstrip("*")) + ("*" if t.endswith("*") else "")
              for t in terms if " " not in t]
    multi = [t for t in terms if " " in t]
    return _Category(
        words=frozenset(t for t in single if not t.endswith("*")),
        stems=tuple(t[:-1] for t in single if t.endswith("*")),
        phrases=tuple([_phrase(normalise(t.rstrip("*")) + ("*" if t.endswith("*") else ""))
                       for t in multi] + [re.compile(p) for p in patterns]))


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    data: dict[str, Any] = json.loads(
        resources.files("integrity_desk.triage").joinpath("harm_lexicon.json")
        .read_text(encoding="utf-8"))
    categories: dict[str, dict[str, _Category]] = {}
    for name, spec in data["categories"].items():
        languages = set(spec.get("terms", {})) | set(spec.get("patterns", {}))
        categories[name] = {lang: _category(spec.get("terms", {}).get(lang, []),
                                            spec.get("patterns", {}).get(lang, []))
                            for lang in languages}
    attachment_terms = {k: frozenset(v) for k, v in data["attachments"]["terms"].items()}
    return _Lexicon(categories, attachment_terms)


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", text[:MAX_TEXT]).lower()
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


def _languages(language: str | None, available: Iterable[str]) -> list[str]:
    """English everywhere (slurs and threats in English travel into every language's
    reviews); the text's own language besides; every language when it is not known. A term
    that is harmless in another language ("bite") is then never read in the wrong one."""
    base = (language or "").split("-")[0].lower()
    return [lang for lang in available if not base or lang in ("en", base)]


def _matches(category: _Category, text: str, tokens: list[str]) -> list[str]:
    found = [t for t in tokens if t in category.words]
    found += [t for t in tokens if t not in category.words and t.startswith(category.stems)]
    found += [m.group(0) for p in category.phrases if (m := p.search(text))]
    return found


def classify(text: str | None, *, language: str | None = None,
             attachments: Iterable[tuple[str | None, str | None]] = ()) -> HarmVerdict:
    """The harms of a text in ``language`` (a code such as ``de``; None when unknown), and of
    attachments given as (file name, content type): a name such as ``beheading.mp4`` or
    ``nudes.zip`` says what a file shows before anyone opens it."""
    lex = lexicon()
    found: dict[str, list[str]] = {}
    for norm in variants(text or ""):
        tokens = _WORD.findall(norm)
        for name, per_language in lex.categories.items():
            for lang in _languages(language, per_language):
                hits = _matches(per_language[lang], norm, tokens)
                if hits:
                    found.setdefault(name, []).extend(hits)
    for filename, content_type in attachments:
        name_text = normalise(re.sub(r"[_\-.]+", " ", filename or ""))
        name_tokens = _WORD.findall(name_text)
        kind = (content_type or "").split("/")[0]
        for harm, words in lex.attachment_terms.items():
            hits = [t for t in name_tokens if t in words]
            if hits and kind in ("image", "video", "application", ""):
                found.setdefault(harm, []).extend(hits)
        for name, per_language in lex.categories.items():
            for lang in _languages(language, per_language):
                hits = _matches(per_language[lang], name_text, name_tokens)
                if hits:
                    found.setdefault(name, []).extend(hits)
    harms = tuple(h for h in HARM_ORDER if h in found)
    return HarmVerdict(harms, tuple(dict.fromkeys(w for h in harms for w in found[h])))
