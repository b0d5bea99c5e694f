"""Find the names of the people involved in free text, however many people there are.

An investigation decision can involve a thousand reviewers, and every one of its statements is
scrubbed of all their names. One regular expression alternating thousands of names is tried
branch by branch at every word (milliseconds a text), so the names are instead indexed by their
first word: the text is split into words once and each word is one dictionary look-up, whatever
the number of names. ``NameMatcher`` is built once per set of names (``matcher_for`` caches it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"\w+")
# Name parts that are words of their own in most European languages.
PARTICLES = frozenset({
    "van", "von", "der", "den", "dem", "del", "della", "des", "die", "ten", "ter", "zu", "zum",
    "zur", "dos", "das", "bin", "ben", "ibn", "les", "la", "le", "de", "du", "di", "da", "al",
    "el", "y", "und", "and", "et", "mrs", "mr", "ms", "dr", "prof", "herr", "frau", "mme",
    "mlle", "sig",
    # Display names are nicknames ("The Real Reviewer 2024"): their everyday words are no name.
    "the", "for", "not", "our", "you", "her", "his", "one", "ein", "eine", "mit", "une",
    "pour", "avec", "real", "best", "official", "shop", "review", "reviewer", "user"})
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                           "ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae",
                           "Æ": "Ae", "đ": "d", "Đ": "D"})
_STRIP = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O"})


@dataclass(frozen=True, slots=True)
class _Form:
    """One written form of a name: ``words`` long, compared case-blind or exactly."""

    text: str
    words: int
    any_case: bool


class NameMatcher:
    """Replaces whole names in any case, and single name parts as people write them (as given,
    Capitalised or UPPER: "Rose" the person goes, "rose" the verb stays), each with a genitive
    or possessive ending (Müllers, Jane's), spelled with or without accents."""

    def __init__(self, names: tuple[str, ...], reserved: frozenset[str]) -> None:
        whole: set[str] = set()
        parts: set[str] = set()
        for name in names:
            if name.lower() in reserved or len(name) < 2:
                continue
            whole |= _variants(name)
            pieces = re.split(r"[\s,]+", name)
            pieces += [p for piece in pieces if "-" in piece for p in piece.split("-")]
            for piece in pieces:
                piece = piece.strip(".'’")
                if (len(piece) >= 3 and not piece.isdigit()
                        and piece.lower() not in PARTICLES | reserved):
                    for v in _variants(piece):
                        parts |= {v, v[:1].upper() + v[1:], v.upper()}
        self._index: dict[str, list[_Form]] = {}
        for text, any_case in [(w, True) for w in whole] + [(p, False) for p in parts - whole]:
            text = _trim(text)
            words = _WORD.findall(text)
            if words:
                form = _Form(text.lower() if any_case else text, len(words), any_case)
                self._index.setdefault(words[0].lower(), []).append(form)
        for forms in self._index.values():  # the longest name wins where several start
            forms.sort(key=lambda f: (-f.words, -len(f.text), not f.any_case))

    def __bool__(self) -> bool:
        return bool(self._index)

    def sub(self, token: str, text: str) -> str:
        """``text`` with every name found replaced by ``token``."""
        words = list(_WORD.finditer(text))
        out: list[str] = []
        done, i = 0, 0
        while i < len(words):
            found = self._match(text, words, i)
            if found is None:
                i += 1
                continue
            end, last = found
            out += [text[done:words[i].start()], token]
            done, i = end, last + 1
        return "".join(out) + text[done:] if out else text

    def _match(self, text: str, words: list[re.Match[str]], i: int) -> tuple[int, int] | None:
        start = words[i].start()
        if start and text[start - 1] == "[":  # inside a token such as [name]
            return None
        key = words[i].group().lower()
        candidates = self._index.get(key, [])
        if key.endswith("s") and key[:-1] in self._index:
            candidates = candidates + self._index[key[:-1]]
        for form in candidates:
            last = i + form.words - 1
            if last >= len(words):
                continue
            end = words[last].end()
            seen = text[start:end]
            if not _same(seen, form):
                if not (seen[-1:] == "s" and _same(seen[:-1], form)):
                    continue
            elif text[end:end + 2] in ("'s", "’s") and not _word_at(text, end + 2):
                end += 2
            if text[end:end + 1] == "]":
                continue
            return end, last
        return None


@lru_cache(maxsize=32)
def matcher_for(names: tuple[str, ...], reserved: frozenset[str]) -> NameMatcher:
    """The matcher of a set of names, built once: a decision's statements share it."""
    return NameMatcher(names, reserved)


def _same(seen: str, form: _Form) -> bool:
    return (seen.lower() if form.any_case else seen) == form.text


def _word_at(text: str, at: int) -> bool:
    return at < len(text) and (text[at].isalnum() or text[at] == "_")


def _trim(text: str) -> str:
    """Without leading or trailing punctuation ("J." is matched as "J")."""
    return re.sub(r"^\W+|\W+$", "", text)


def _variants(name: str) -> set[str]:
    nfc = unicodedata.normalize("NFC", name)
    stripped = "".join(c for c in unicodedata.normalize("NFKD", nfc.translate(_STRIP))
                       if not unicodedata.combining(c))
    out = {nfc, stripped, nfc.translate(_TRANSLIT)}
    return out | {v.replace("'", "’") for v in out} | {v.replace("’", "'") for v in out}
