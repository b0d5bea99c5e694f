"""From what a decision knows to the Commission's wire format (pure; no database).

``StatementFacts`` is the input the decisions slice fills in; ``build_statement`` turns it into
exactly what the Transparency Database takes: enum keys, ``YYYY-MM-DD`` dates, "Yes"/"No"
strings, an upper-case ISO 639-1 language, EU/EEA alpha-2 codes, de-duplicated and sorted
arrays (as the Commission stores them, so what the desk logs is what the Commission keeps),
fields the Commission would drop left out, and every free text scrubbed of personal data and
kept within its length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from integrity_desk.dsa import schema as s
from integrity_desk.dsa.scrub import PLATFORM_PROFILE_HOSTS, scrub

DateLike = date | datetime


@dataclass(frozen=True, kw_only=True)
class StatementFacts:
    """What a decision knows that a statement of reasons must say (DSA Art. 17(3), 24(5)).

    Enum values are the schema's keys (``schema.GROUND_ILLEGAL``, "DECISION_VISIBILITY_…").
    ``ground`` is the legal ground (illegal content: the law and article) or the contractual
    ground (incompatible content: the guideline, its section and version); ``explanation`` says
    why the content falls under it. ``people`` are the names of everyone involved (requester,
    reviewer display name, business contacts): they are scrubbed from every free text.
    """

    decision_ground: str
    ground: str
    explanation: str
    category: str
    facts: str
    content_date: DateLike
    application_date: DateLike
    source_type: str
    automated_detection: bool
    automated_decision: str
    puid: str | None = None
    ground_reference_url: str | None = None
    incompatible_content_illegal: bool | None = None
    category_addition: Sequence[str] = ()
    keywords: Sequence[str] = ()
    keyword_other: str | None = None
    content_type: Sequence[str] = (s.CONTENT_TYPE_TEXT,)
    content_type_other: str | None = None
    content_language: str | None = None
    visibility: Sequence[str] = ()
    visibility_other: str | None = None
    visibility_end: DateLike | None = None
    monetary: str | None = None
    monetary_other: str | None = None
    monetary_end: DateLike | None = None
    provision: str | None = None
    provision_end: DateLike | None = None
    account: str | None = None
    account_end: DateLike | None = None
    account_type: str | None = None
    # "EEA", "EU" or alpha-2 codes; the platform serves the whole EEA unless a decision says less.
    territorial_scope: str | Sequence[str] = "EEA"
    source_identity: str | None = None
    people: Sequence[str] = field(default=())


# Where a wire field comes from in StatementFacts, so that an error names what the caller set.
FACTS_FIELD: dict[str, str] = {
    "illegal_content_legal_ground": "ground", "incompatible_content_ground": "ground",
    "illegal_content_explanation": "explanation",
    "incompatible_content_explanation": "explanation",
    "decision_ground_reference_url": "ground_reference_url",
    "category_specification": "keywords", "category_specification_other": "keyword_other",
    "decision_facts": "facts", "decision_visibility": "visibility",
    "decision_visibility_other": "visibility_other",
    "end_date_visibility_restriction": "visibility_end", "decision_monetary": "monetary",
    "decision_monetary_other": "monetary_other", "end_date_monetary_restriction": "monetary_end",
    "decision_provision": "provision", "end_date_service_restriction": "provision_end",
    "decision_account": "account", "end_date_account_restriction": "account_end",
}


def facts_field(wire_field: str) -> str:
    return FACTS_FIELD.get(wire_field, wire_field)


def build_statement(facts: StatementFacts, *, puid: str | None = None,
                    profile_hosts: Sequence[str] = PLATFORM_PROFILE_HOSTS) -> dict[str, Any]:
    """The statement as sent to ``POST /api/v1/statements``; absent optional fields are left out.

    It does not judge the facts: ``validate_statement`` does, on what this returns."""
    people = tuple(facts.people)

    def text(value: str | None, wire: str) -> str | None:
        return _clean(value, s.MAX_LENGTH[wire], people, profile_hosts)

    ground = facts.decision_ground
    out: dict[str, Any] = {"puid": puid or facts.puid}
    visibility = _keys(facts.visibility)
    if visibility:
        out["decision_visibility"] = visibility
        if s.VISIBILITY_OTHER in visibility:
            out["decision_visibility_other"] = text(facts.visibility_other,
                                                    "decision_visibility_other")
        out["end_date_visibility_restriction"] = _day(facts.visibility_end)
    if facts.monetary:
        out["decision_monetary"] = facts.monetary
        if facts.monetary == s.MONETARY_OTHER:
            out["decision_monetary_other"] = text(facts.monetary_other, "decision_monetary_other")
        out["end_date_monetary_restriction"] = _day(facts.monetary_end)
    if facts.provision:
        out["decision_provision"] = facts.provision
        out["end_date_service_restriction"] = _day(facts.provision_end)
    if facts.account:
        out["decision_account"] = facts.account
        out["end_date_account_restriction"] = _day(facts.account_end)
    if facts.account_type:
        out["account_type"] = facts.account_type
    out["decision_ground"] = ground
    url = facts.ground_reference_url
    if url and url.strip() and scrub(url, profile_hosts=profile_hosts) == url:
        out["decision_ground_reference_url"] = url.strip()
    if ground == s.GROUND_ILLEGAL:
        out["illegal_content_legal_ground"] = text(facts.ground, "illegal_content_legal_ground")
        out["illegal_content_explanation"] = text(facts.explanation,
                                                  "illegal_content_explanation")
    elif ground == s.GROUND_INCOMPATIBLE:
        out["incompatible_content_ground"] = text(facts.ground, "incompatible_content_ground")
        out["incompatible_content_explanation"] = text(facts.explanation,
                                                       "incompatible_content_explanation")
        if facts.incompatible_content_illegal is not None:
            out["incompatible_content_illegal"] = _yes_no(facts.incompatible_content_illegal)
    content_type = _keys(facts.content_type)
    out["content_type"] = content_type
    if s.CONTENT_TYPE_OTHER in content_type:
        out["content_type_other"] = text(facts.content_type_other, "content_type_other")
    out["category"] = facts.category
    addition = [c for c in _keys(facts.category_addition) if c != facts.category]
    if addition:
        out["category_addition"] = addition
    keywords = _keys(facts.keywords)
    if keywords:
        out["category_specification"] = keywords
        if s.KEYWORD_OTHER in keywords:
            out["category_specification_other"] = text(facts.keyword_other,
                                                       "category_specification_other")
    scope = territorial_scope(facts.territorial_scope)
    if scope:
        out["territorial_scope"] = scope
    if facts.content_language:
        out["content_language"] = language_code(facts.content_language)
    out["content_date"] = _day(facts.content_date)
    out["application_date"] = _day(facts.application_date)
    out["decision_facts"] = text(facts.facts, "decision_facts")
    out["source_type"] = facts.source_type
    if facts.source_type != s.SOURCE_VOLUNTARY and facts.source_identity:
        out["source_identity"] = text(facts.source_identity, "source_identity")
    out["automated_detection"] = _yes_no(facts.automated_detection)
    out["automated_decision"] = facts.automated_decision
    return {k: v for k, v in out.items() if v is not None}


def territorial_scope(scope: str | Sequence[str]) -> list[str]:
    """"EEA", "EU" or alpha-2 codes (any case; GR for Greece, as the Commission spells it)."""
    if isinstance(scope, str):
        preset = {"EEA": s.EEA, "EU": s.EU}.get(scope.strip().upper())
        codes: Sequence[str] = preset if preset is not None else [scope]
    else:
        codes = scope
    upper = (c.strip().upper() for c in codes if c and c.strip())
    return sorted({_COUNTRY_ALIASES.get(c, c) for c in upper})


# ISO says GR for Greece and GB for the UK; EU texts say EL and UK.
_COUNTRY_ALIASES = {"EL": "GR"}


def language_code(language: str) -> str:
    """"en", "en-GB", "de_AT" → "EN", "DE": the ISO 639-1 part, upper case."""
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].upper()


_ESCAPE = re.compile(r"[^A-Za-z0-9-]")
# Control characters mean nothing in a statement, and PostgreSQL's JSON refuses NUL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def make_puid(*, decision_id: int | None, case_id: int, subject_kind: str, ordinal: int,
              version: int = 1) -> str:
    """``idesk-<decision>-<kind><n>-<version>`` (``idesk-c<case>-…`` without a decision).

    Stable (the service stores which subject got which ordinal and returns it again), unique
    per decision and affected item, and matching the Commission's pattern. The subject's own
    reference (a review or account id) is deliberately not in it: the puid is published, and a
    reviewer's account id is personal data. A correction is the next version; puids are never
    reused.
    """
    owner = str(decision_id) if decision_id is not None else f"c{case_id}"
    kind = _ESCAPE.sub("", subject_kind.lower())[:24] or "item"
    return f"idesk-{owner}-{kind}{ordinal}-{version}"


def next_version(puid: str) -> str:
    """The puid of a correction: the same statement, the next version."""
    stem, _, version = puid.rpartition("-")
    if stem and version.isdigit():
        return f"{stem}-{int(version) + 1}"
    return f"{puid}-2"


def _clean(value: str | None, limit: int, people: tuple[str, ...],
           profile_hosts: Sequence[str]) -> str | None:
    """Scrubbed, whitespace-trimmed, without control characters and within ``limit`` (clipped
    with an ellipsis: the person affected gets the full text in the Art. 17 message; the
    database gets what fits)."""
    if value is None:
        return None
    text = " ".join(_CONTROL.sub("", " ".join(value.split())).split())  # tabs, newlines: spaces
    out = scrub(text, names=people, profile_hosts=profile_hosts)
    for _ in range(3):
        if len(out) <= limit:
            return out
        out = scrub(out[: limit - 1].rstrip() + "…", names=people, profile_hosts=profile_hosts)
    return out[:limit]


def _keys(values: Sequence[str] | None) -> list[str]:
    return sorted(set(values or ()))


def _day(value: DateLike | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = (value.astimezone(UTC) if value.tzinfo else value).date()
    return value.isoformat()


def _yes_no(value: bool) -> str:
    return s.YES if value else s.NO
