"""Take personal data out of free text before it leaves the desk (DSA Art. 24(5)).

Statements of reasons go to a public database and must carry no personal data, yet they are
written by people from case notes that are full of it. Everything free-text is run through
``scrub``: e-mail addresses (also "jane (at) example.com"), phone numbers (international, and
national forms with a trunk 0 or beside a word such as "Tel."), profile URLs of the platform
and of social networks, @handles, and the names of the people involved, which the caller
passes in (requester, reviewer display name, business contacts). Dates, times, prices, review
ids, order numbers and ordinary words are left alone; ``tests/dsa/scrub_corpus.json`` holds the
cases, in several languages, that say so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

EMAIL_TOKEN, PHONE_TOKEN, PROFILE_TOKEN, NAME_TOKEN = "[e-mail]", "[phone]", "[profile]", "[name]"
_TOKEN_WORDS = {"e-mail", "email", "phone", "profile", "name"}

# The platform's own profile pages; a deployment passes its hosts to ``scrub`` when they differ.
PLATFORM_PROFILE_HOSTS: tuple[str, ...] = ("reviews.example.com",)
_PROFILE_PATHS = r"(?:users?|profiles?|members?|reviewers?)/"
_SOCIAL_HOSTS = (r"facebook\.com|fb\.com|instagram\.com|twitter\.com|x\.com|linkedin\.com"
                 r"|tiktok\.com|youtube\.com|xing\.com|pinterest\.[a-z]{2,3}|threads\.net"
                 r"|vk\.com|snapchat\.com|t\.me|github\.com|mastodon\.[a-z]+")
_URL_TAIL = r"[^\s<>\"'()\[\]{}]+"
_TRAILING = ".,;:!?"

_DOT = r"(?:\.|\s*[\[(]\s*(?:dot|punkt|point)\s*[\])]\s*)"
# The local part may hold any of RFC 5322's atext ("/@x.example" is an address); a quote
# before it is left to the sentence. Top-level domains may be punycode (xn--…).
_ATEXT = r"\w.!#$%&'*+/=?^`{|}~-"
_FIRST = r"\w.!#$%&*+/=?^{|}~-"
_EMAIL = re.compile(
    rf"(?<![{_FIRST}])[{_FIRST}][{_ATEXT}]*"
    r"(?:@|\s*[\[(]\s*(?:at|@|ät)\s*[\])]\s*)"
    rf"[\w-]+(?:{_DOT}[\w-]+)*{_DOT}(?:xn--[a-zA-Z0-9-]+|[a-zA-Z]{{2,}})\b",
    re.IGNORECASE)
_SOCIAL = re.compile(rf"(?<![\w.-])(?:https?://)?(?:[\w-]+\.)*(?:{_SOCIAL_HOSTS})/{_URL_TAIL}",
                     re.IGNORECASE)
# Any URL whose path is a handle (mastodon instances, threads, medium…).
_AT_PATH = re.compile(rf"(?<![\w.-])https?://[\w.-]+/@{_URL_TAIL}", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@./])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")

# A run of characters a phone number is written with; each run is then judged on its own.
_PHONE_RUN = re.compile(r"(?<![\w+/.,-])(?:\+|00)?\(?\d[\d ()./\u00a0-]{4,}\d(?![\w-]|[.,]\d)")
# Words that announce a phone number; beside one, a shorter local number counts too.
_PHONE_WORDS = re.compile(
    r"\b(?:tel|tél|tlf|tfn|phone|telephone|telefon|telefoon|teléfono|téléphone|mobil|handy"
    r"|cell|portable|móvil|movil|cellulare|whatsapp|fax|call|ruf|anruf|appel|llam|chiam)\w*",
    re.IGNORECASE)
_NANP = re.compile(r"^\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}$")
_SEPARATORS = re.compile(r"[\s./()\u00a0-]+")

# Name parts that are words of their own in most European languages.
_PARTICLES = {"van", "von", "der", "den", "dem", "del", "della", "des", "die", "ten", "ter",
              "zu", "zum", "zur", "dos", "das", "bin", "ben", "ibn", "les", "la", "le", "de",
              "du", "di", "da", "al", "el", "y", "und", "and", "et", "mrs", "mr", "ms", "dr",
              "prof", "herr", "frau", "mme", "mlle", "sig"}
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                           "ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae",
                           "Æ": "Ae", "đ": "d", "Đ": "D"})


def scrub(text: str, *, names: Iterable[str] = (),
          profile_hosts: Sequence[str] = PLATFORM_PROFILE_HOSTS) -> str:
    """``text`` with personal data replaced by ``[e-mail]``, ``[phone]``, ``[profile]`` and
    ``[name]``. Idempotent: scrubbing scrubbed text changes nothing."""
    if not text:
        return text
    names_key = tuple(sorted({" ".join(n.split()) for n in names if n and n.strip()}))
    for _ in range(3):  # a replacement may expose another match; stop at the fixpoint
        out = _scrub_once(text, names_key, tuple(profile_hosts))
        if out == text:
            break
        text = out
    return text


def has_personal_data(text: str, *, profile_hosts: Sequence[str] = PLATFORM_PROFILE_HOSTS
                      ) -> bool:
    """Whether ``text`` still holds an e-mail, phone number, profile URL or handle (names
    cannot be told without knowing whose; ``scrub`` takes those)."""
    return bool(text) and scrub(text, profile_hosts=profile_hosts) != text


def _scrub_once(text: str, names: tuple[str, ...], hosts: tuple[str, ...]) -> str:
    text = _platform_profiles(hosts).sub(_keep_trailing(PROFILE_TOKEN), text)
    text = _SOCIAL.sub(_keep_trailing(PROFILE_TOKEN), text)
    text = _AT_PATH.sub(_keep_trailing(PROFILE_TOKEN), text)
    text = _EMAIL.sub(EMAIL_TOKEN, text)
    text = _HANDLE.sub(PROFILE_TOKEN, text)
    text = _PHONE_RUN.sub(_phone, text)
    if names:
        full, parts = _name_patterns(names)
        if full is not None:
            text = full.sub(NAME_TOKEN, text)
        if parts is not None:
            text = parts.sub(NAME_TOKEN, text)
    return text


@lru_cache(maxsize=16)
def _platform_profiles(hosts: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(h) for h in hosts) or r"(?!)"
    return re.compile(rf"(?<![\w.-])(?:https?://)?(?:www\.)?(?:{alternatives})/{_PROFILE_PATHS}"
                      rf"{_URL_TAIL}", re.IGNORECASE)


def _keep_trailing(token: str) -> Callable[[re.Match[str]], str]:
    """Replace a URL but keep the sentence's punctuation that the URL pattern swallowed."""
    def replace(match: re.Match[str]) -> str:
        url = match.group(0)
        stripped = url.rstrip(_TRAILING)
        return token + url[len(stripped):]
    return replace


def _phone(match: re.Match[str]) -> str:
    run = match.group(0)
    # A run may end in separators or a bracket that belong to the sentence.
    core = run.rstrip(" ./-(\u00a0")
    tail = run[len(core):]
    if _is_phone(core, match.string[:match.start()]):
        return PHONE_TOKEN + tail
    return run


def _is_phone(candidate: str, before: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    groups = [g for g in _SEPARATORS.split(candidate) if g]
    if _starts_with_date(groups, candidate) or digits > 15:
        return False
    if candidate.startswith(("+", "00")):
        return digits >= 8
    if _PHONE_WORDS.search(before[-25:]):
        return digits >= 6
    if candidate.lstrip("(").startswith("0"):
        return digits >= 8 and len(groups) >= 1 and not _is_decimal_number(candidate)
    return bool(_NANP.match(candidate))


def _starts_with_date(groups: list[str], candidate: str) -> bool:
    """Dates (25.11.2026, 2026-11-25, 01/02/26), with a time after them, are not phones."""
    if len(groups) < 3 or candidate.startswith("+"):
        return False
    a, b, c = groups[:3]
    if not (a.isdigit() and b.isdigit() and c.isdigit()):
        return False
    rest_is_time = all(len(g) <= 2 for g in groups[3:]) and len(groups) <= 5
    iso = len(a) == 4 and len(b) <= 2 and len(c) <= 2 and 1 <= int(b) <= 12 and 1 <= int(c) <= 31
    dmy = (len(a) <= 2 and len(b) <= 2 and len(c) in (2, 4)
           and 1 <= int(a) <= 31 and 1 <= int(b) <= 12)
    if len(groups) == 5 and all(len(g) == 2 for g in groups):
        return False  # 06 12 34 56 78: a French number, not a date with a time
    return (iso or dmy) and rest_is_time


def _is_decimal_number(candidate: str) -> bool:
    return bool(re.fullmatch(r"0[.,]\d+", candidate))


@lru_cache(maxsize=256)
def _name_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str] | None,
                                                    re.Pattern[str] | None]:
    """Two patterns: whole names in any case, and single name parts as people write them
    (as given, Capitalised or UPPER) so that "Rose" the person goes but "rose" the verb stays."""
    full: set[str] = set()
    parts: set[str] = set()
    for name in names:
        if name.lower() in _TOKEN_WORDS or len(name) < 2:
            continue
        full |= _variants(name)
        pieces = re.split(r"[\s,]+", name)
        pieces += [p for piece in pieces if "-" in piece for p in piece.split("-")]
        for piece in pieces:
            piece = piece.strip(".'’")
            if len(piece) >= 3 and piece.lower() not in _PARTICLES | _TOKEN_WORDS:
                for v in _variants(piece):
                    parts |= {v, v[:1].upper() + v[1:], v.upper()}
    return _alternation(full, re.IGNORECASE), _alternation(parts - full, 0)


def _variants(name: str) -> set[str]:
    nfc = unicodedata.normalize("NFC", name)
    stripped = "".join(c for c in unicodedata.normalize("NFKD", nfc.translate(
        {ord("ł"): "l", ord("Ł"): "L", ord("ø"): "o", ord("Ø"): "O"}))
        if not unicodedata.combining(c))
    out = {nfc, stripped, nfc.translate(_TRANSLIT)}
    return out | {v.replace("'", "’") for v in out} | {v.replace("’", "'") for v in out}


def _alternation(words: set[str], flags: int) -> re.Pattern[str] | None:
    if not words:
        return None
    body = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    # A genitive or possessive ending goes with the name (Müllers, Jane's).
    return re.compile(rf"(?<![\w\[])(?:{body})(?:['’]s|s)?(?![\w\]])", flags)
