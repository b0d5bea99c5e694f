"""Take personal data out of free text before it leaves the desk (DSA Art. 24(5)).

Statements of reasons go to a public database and must carry no personal data, yet they are
written by people from case notes that are full of it. Everything free-text is run through
``scrub``: e-mail addresses (also "jane (at) example.com"), profile URLs of the platform and of
social networks, @handles, IBANs, payment cards and announced account numbers, IP addresses,
postal addresses, phone numbers, and the names of the people involved, which the caller passes
in (everyone connected to the case: ``decisions.involved`` collects them once per decision).
Dates, times, prices, review ids, order numbers and ordinary words are left alone;
``tests/dsa/scrub_corpus.json`` holds the cases, in several languages, that say so.

Scrubbing runs for every statement (an investigation decision can have a thousand), and a
decision's statements share their free texts and people: patterns are compiled at import, the
names are indexed once per set of people, and the last few hundred results are remembered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from integrity_desk.dsa.scrub_names import matcher_for
from integrity_desk.dsa.scrub_numbers import sub_accounts, sub_ips, sub_phones
from integrity_desk.dsa.scrub_places import sub_addresses

EMAIL_TOKEN, PHONE_TOKEN, PROFILE_TOKEN, NAME_TOKEN = "[e-mail]", "[phone]", "[profile]", "[name]"
ACCOUNT_TOKEN, IP_TOKEN, ADDRESS_TOKEN = "[account]", "[ip]", "[address]"
_TOKEN_WORDS = frozenset({"e-mail", "email", "phone", "profile", "name", "account", "ip",
                          "address"})

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


def scrub(text: str, *, names: Iterable[str] = (),
          profile_hosts: Sequence[str] = PLATFORM_PROFILE_HOSTS) -> str:
    """``text`` with personal data replaced by ``[e-mail]``, ``[profile]``, ``[account]``,
    ``[ip]``, ``[address]``, ``[phone]`` and ``[name]``. Idempotent: scrubbing scrubbed text
    changes nothing."""
    if not text:
        return text
    people = _people(names if isinstance(names, tuple) else tuple(names))
    return _scrub(text, people, tuple(profile_hosts))


def has_personal_data(text: str, *, profile_hosts: Sequence[str] = PLATFORM_PROFILE_HOSTS
                      ) -> bool:
    """Whether ``text`` still holds an e-mail, phone number, account number, IP or postal
    address, profile URL or handle (names cannot be told without knowing whose; ``scrub``
    takes those)."""
    return bool(text) and scrub(text, profile_hosts=profile_hosts) != text


@lru_cache(maxsize=64)
def _people(names: tuple[str, ...]) -> tuple[str, ...]:
    """The names, whitespace-normalised and sorted: one key (and one matcher) per set of
    people, however the caller ordered them. Cached: a decision passes the same tuple for
    each of its statements."""
    return tuple(sorted({" ".join(n.split()) for n in names if n and n.strip()}))


@lru_cache(maxsize=512)
def _scrub(text: str, names: tuple[str, ...], hosts: tuple[str, ...]) -> str:
    """A decision's statements repeat its facts, grounds and explanation: each distinct text
    is scrubbed once (a bounded cache, so that case notes do not linger in memory)."""
    for _ in range(3):  # a replacement may expose another match; stop at the fixpoint
        out = _scrub_once(text, names, hosts)
        if out == text:
            break
        text = out
    return text


def _scrub_once(text: str, names: tuple[str, ...], hosts: tuple[str, ...]) -> str:
    text = _platform_profiles(hosts).sub(_keep_trailing(PROFILE_TOKEN), text)
    text = _SOCIAL.sub(_keep_trailing(PROFILE_TOKEN), text)
    text = _AT_PATH.sub(_keep_trailing(PROFILE_TOKEN), text)
    text = _EMAIL.sub(EMAIL_TOKEN, text)
    text = _HANDLE.sub(PROFILE_TOKEN, text)
    text = sub_accounts(ACCOUNT_TOKEN, text)
    text = sub_ips(IP_TOKEN, text)
    text = sub_addresses(ADDRESS_TOKEN, text)
    text = sub_phones(PHONE_TOKEN, text)
    if names:
        matcher = matcher_for(names, _TOKEN_WORDS)
        if matcher:
            text = matcher.sub(NAME_TOKEN, text)
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
