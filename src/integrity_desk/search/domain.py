"""What a search box query means, and how a hit is shown: pure rules, no database.

A query is first read for structure (a case key, a review URL or id, a business domain, a
reviewer id, a requester organisation); free text over case titles, descriptions and comments
is searched as well unless the query was explicitly qualified (``review:r-123``).

Contact details never reach the full-text index (see ``search.text``), and a query made of
one is refused: every role sees them masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from integrity_desk.cases.domain import CaseKind, parse_case_key
from integrity_desk.errors import InvalidInput
from integrity_desk.privacy.domain import contacts_in
from integrity_desk.subjects.service import review_refs_in_urls

MAX_QUERY = 200

_WORD = re.compile(r"[^\W_]+")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_REF = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
QUALIFIERS = {"review": "review", "reviewer": "reviewer", "business": "business",
              "domain": "business", "org": "organisation", "organisation": "organisation",
              "organization": "organisation", "case": "key"}


@dataclass
class ParsedQuery:
    """What a query asks for; ``text`` is None when no free-text search is wanted."""

    raw: str
    key: tuple[CaseKind | None, int] | None = None
    review_refs: list[str] = field(default_factory=list)
    reviewer_refs: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    organisation: str | None = None
    text: str | None = None

    @property
    def explicit_key(self) -> bool:
        """A prefixed key (FLG-12): the person means that case, not text containing 12."""
        return self.key is not None and self.key[0] is not None


def clean(q: str | None) -> str:
    """The query with its whitespace collapsed; 422 naming ``q`` when empty or too long."""
    text = " ".join((q or "").split())
    if not text:
        raise InvalidInput("type something to search for", field="q")
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"a search is at most {MAX_QUERY} characters", field="q")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidInput("a search cannot hold control characters", field="q")
    if contacts_in(text):
        raise InvalidInput("e-mail addresses and phone numbers are masked, so they cannot be "
                           "searched; search by the case key, subject or organisation", field="q")
    return text


def _domain_of(value: str) -> str | None:
    host = value.lower().rstrip(".")
    host = host[4:] if host.startswith("www.") else host
    return host if _DOMAIN.match(host) else None


def _from_url(q: str, parsed: ParsedQuery) -> None:
    refs = review_refs_in_urls([q])
    if refs:
        parsed.review_refs += refs
        return
    parts = urlsplit(q)
    # The platform's business page: …/review/<domain>
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 2 and segments[-2] == "review" and _domain_of(segments[-1]):
        parsed.domains.append(_domain_of(segments[-1]) or "")
        return
    host = _domain_of(parts.hostname or "")
    if host:
        parsed.domains.append(host)


def parse_query(q: str) -> ParsedQuery:
    """Read a cleaned query for structure; see the module docstring."""
    parsed = ParsedQuery(raw=q)
    head, sep, rest = q.partition(":")
    if sep and head.lower() in QUALIFIERS and rest.strip() and not rest.startswith("//"):
        what, value = QUALIFIERS[head.lower()], rest.strip()
        if what == "review":
            refs = review_refs_in_urls([value]) if "/" in value else [value]
            parsed.review_refs += refs
        elif what == "reviewer":
            parsed.reviewer_refs.append(value)
        elif what == "business":
            domain = _domain_of(urlsplit(value).hostname or "") if "//" in value else None
            parsed.domains.append(domain or value.lower())
        elif what == "organisation":
            parsed.organisation = value
        else:
            parsed.key = parse_case_key(value)
        return parsed
    if q.lower().startswith(("http://", "https://")):
        _from_url(q, parsed)
        return parsed
    parsed.key = parse_case_key(q)
    if parsed.explicit_key:
        return parsed
    parsed.text = q
    if len(q) >= 2:
        parsed.organisation = q
    if " " not in q:
        domain = _domain_of(q)
        if domain:
            parsed.domains.append(domain)
        elif _REF.match(q):
            parsed.review_refs.append(q)
            parsed.reviewer_refs.append(q)
    return parsed


# -- free text on SQLite: FTS5 MATCH from websearch syntax ----------------------------------------
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


def fts5_match(q: str) -> str | None:
    """websearch_to_tsquery's syntax (words, "phrases", -not, or) as an FTS5 MATCH expression
    made of quoted tokens only, so no user text is read as FTS5 syntax. None: nothing to find."""
    groups: list[list[str]] = []
    negatives: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(q):
        phrase, word = match.groups()
        if word is not None and word.lower() == "or" and groups:
            pending_or = True
            continue
        negate = word is not None and word.startswith("-") and len(word) > 1
        text = phrase if phrase is not None else (word[1:] if negate else word)
        tokens = _WORD.findall(text or "")
        if not tokens:
            continue
        term = '"' + " ".join(tokens) + '"'
        if negate:
            negatives.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if not groups:
        return None
    expr = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    return expr + "".join(f" NOT {n}" for n in negatives)


def highlight_terms(q: str) -> frozenset[str]:
    """The words a hit is highlighted by (not the negated ones)."""
    words: set[str] = set()
    for match in _TOKEN.finditer(q):
        phrase, word = match.groups()
        if word is not None and (word.startswith("-") or word.lower() == "or"):
            continue
        words.update(w.casefold() for w in _WORD.findall(phrase or word or ""))
    return frozenset(words)


Segment = tuple[str, bool]  # (text, highlighted)


def segments(text: str, terms: frozenset[str]) -> list[Segment]:
    """The text cut into plain and highlighted parts (the template escapes each)."""
    out: list[Segment] = []
    last = 0
    for match in _WORD.finditer(text):
        if match.group(0).casefold() in terms:
            if match.start() > last:
                out.append((text[last:match.start()], False))
            out.append((match.group(0), True))
            last = match.end()
    if last < len(text):
        out.append((text[last:], False))
    return out


def snippet(text: str, terms: frozenset[str], *, width: int = 180) -> list[Segment] | None:
    """A window of the text around its first highlighted word; None when no word matches."""
    first = next((m for m in _WORD.finditer(text) if m.group(0).casefold() in terms), None)
    if first is None:
        return None
    start = max(0, first.start() - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space > 0 else end
    body = segments(" ".join(text[start:end].split()), terms)
    if start:
        body.insert(0, ("… ", False))
    if end < len(text):
        body.append((" …", False))
    return body
