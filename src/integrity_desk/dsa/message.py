"""The statement of reasons to the affected person (DSA Art. 17), rendered per language.

Art. 17(3) lists what the message must contain: the measure with its territorial scope and
duration; the facts and circumstances (a notice or own initiative, and the notifier's identity
only where strictly necessary); whether automated means detected the content and took the
decision; the legal ground or the contractual ground, with an explanation; and the redress
open to the person (the internal complaint with its 6-month window, out-of-court settlement,
the courts). One Jinja2 template per language in ``templates/art17/`` says all of it; a
language without a template gets English. The free texts are the decision's own, scrubbed of
the other people involved as the statement to the Commission is.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from integrity_desk.dsa import schema as s
from integrity_desk.dsa.scrub import scrub
from integrity_desk.dsa.statement import StatementFacts, language_code, territorial_scope

FALLBACK = "en"
APPEAL_MONTHS = 6  # Art. 20(1): at least six months from when the person was informed
OUT_OF_COURT_URL = "https://digital-strategy.ec.europa.eu/en/policies/dsa-out-court-dispute-settlement"

_ENV = Environment(loader=PackageLoader("integrity_desk.dsa", "templates"), autoescape=False,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                   keep_trailing_newline=True)
_MONTHS_EN = list(calendar.month_name)  # the C locale's English names, fixed by the stdlib
_DATE_FORMATS = {"de": "{d:02d}.{m:02d}.{y}", "fr": "{d:02d}/{m:02d}/{y}"}


@dataclass(frozen=True, kw_only=True)
class MessageContext:
    """What the message needs beyond the statement's facts.

    ``item`` names what was restricted in the person's terms and in the letter's language
    ("your review r1, posted on 3 May 2026", "Ihre Bewertung r1 vom 03.05.2026");
    ``informed_on`` starts the appeal window; ``notifier_identity`` is set only where
    disclosing it is strictly necessary (e.g. an intellectual-property claim)."""

    item: str
    informed_on: date
    appeal_url: str
    guideline_version: str | None = None
    notifier_identity: str | None = None
    recipient_name: str | None = None
    platform_name: str = "Reviews"
    out_of_court_url: str = OUT_OF_COURT_URL


@dataclass(frozen=True)
class Message:
    language: str
    subject: str
    body: str


def available_languages() -> list[str]:
    return sorted(name.removeprefix("art17/").removesuffix(".txt.j2")
                  for name in _ENV.list_templates() if name.startswith("art17/"))


def template_language(language: str | None) -> str:
    """The template to use for ``language`` ("de-AT" → "de"), English when there is none."""
    wanted = language_code(language).lower() if language else FALLBACK
    return wanted if wanted in available_languages() else FALLBACK


def render_message(facts: StatementFacts, context: MessageContext, *,
                   language: str | None = None) -> Message:
    lang = template_language(language)
    module = _ENV.get_template(f"art17/{lang}.txt.j2").make_module(_view(facts, context, lang))
    return Message(lang, str(module.subject).strip(), str(module))


def appeal_deadline(informed_on: date) -> date:
    """``APPEAL_MONTHS`` calendar months later (31 August + 6 months = 28/29 February)."""
    month = informed_on.month - 1 + APPEAL_MONTHS
    year, month = informed_on.year + month // 12, month % 12 + 1
    return date(year, month, min(informed_on.day, calendar.monthrange(year, month)[1]))


def format_day(value: date | datetime, lang: str) -> str:
    if isinstance(value, datetime):
        value = (value.astimezone(UTC) if value.tzinfo else value).date()
    if lang in _DATE_FORMATS:
        return _DATE_FORMATS[lang].format(d=value.day, m=value.month, y=value.year)
    return f"{value.day} {_MONTHS_EN[value.month]} {value.year}"


def _view(facts: StatementFacts, ctx: MessageContext, lang: str) -> dict[str, Any]:
    people = tuple(facts.people)

    def text(value: str | None) -> str:
        return scrub(" ".join((value or "").split()), names=people)

    measures: list[dict[str, Any]] = [
        {"field": "decision_visibility", "value": v, "end": facts.visibility_end,
         "other": text(facts.visibility_other) if v == s.VISIBILITY_OTHER else None}
        for v in sorted(set(facts.visibility))]
    if facts.monetary:
        measures.append({"field": "decision_monetary", "value": facts.monetary,
                         "end": facts.monetary_end,
                         "other": text(facts.monetary_other)
                         if facts.monetary == s.MONETARY_OTHER else None})
    if facts.provision:
        measures.append({"field": "decision_provision", "value": facts.provision,
                         "end": facts.provision_end, "other": None})
    if facts.account:
        measures.append({"field": "decision_account", "value": facts.account,
                         "end": facts.account_end, "other": None})
    return {
        "recipient": ctx.recipient_name, "item": ctx.item, "platform": ctx.platform_name,
        "measures": measures, "scope": _scope(facts.territorial_scope),
        "applied": facts.application_date, "source": facts.source_type,
        "notifier": ctx.notifier_identity, "facts": text(facts.facts),
        "automated_detection": facts.automated_detection,
        "automated_decision": facts.automated_decision,
        "illegal": facts.decision_ground == s.GROUND_ILLEGAL, "ground": text(facts.ground),
        "explanation": text(facts.explanation), "reference_url": facts.ground_reference_url,
        "guideline_version": ctx.guideline_version, "appeal_url": ctx.appeal_url,
        "appeal_until": appeal_deadline(ctx.informed_on), "out_of_court_url": ctx.out_of_court_url,
        "day": lambda value: format_day(value, lang), "s": s,
    }


def _scope(scope: str | Sequence[str]) -> str | list[str]:
    """"EEA" or "EU" when the scope is one of them, else the country codes."""
    codes = territorial_scope(scope)
    for name, preset in (("EEA", s.EEA), ("EU", s.EU)):
        if codes == sorted(preset):
            return name
    return codes
