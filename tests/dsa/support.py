"""Realistic statement facts for tests, and hypothesis strategies for any valid facts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from integrity_desk.dsa import schema as s
from integrity_desk.dsa.statement import StatementFacts

FAKE = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
REMOVED = "DECISION_VISIBILITY_CONTENT_REMOVED"


def facts(**over: Any) -> StatementFacts:
    """A fake review removed after a business's notice, decided by a person."""
    values: dict[str, Any] = dict(
        decision_ground=s.GROUND_INCOMPATIBLE,
        ground="Guidelines for Reviewers, section 4 'Fake reviews', version 7",
        explanation="The review is not based on a genuine buying or service experience.",
        incompatible_content_illegal=False,
        category=FAKE, keywords=["KEYWORD_INAUTHENTIC_USER_REVIEWS"],
        content_language="en", content_date=date(2026, 5, 3),
        application_date=date(2026, 11, 25), visibility=[REMOVED],
        facts="A business reported the review. Jane Doe (jane@example.com, +44 20 7946 0958) "
              "admitted she had never been a customer.",
        source_type=s.SOURCE_OTHER_NOTIFICATION, automated_detection=False,
        automated_decision=s.AUTOMATED_NOT, puid="idesk-812-review1-1",
        people=["Jane Doe", "Mark Evans"],
    )
    values.update(over)
    return StatementFacts(**values)


# -- hypothesis: any valid facts --------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _text(max_size: int) -> st.SearchStrategy[str]:
    """Any text with something in it besides spaces and control characters (which go)."""
    return st.text(min_size=1, max_size=max_size).filter(
        lambda t: bool(_CONTROL.sub("", t).strip()))


def _enum(field: str) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(s.ENUMS[field]))


def _subset(field: str, min_size: int = 0) -> st.SearchStrategy[list[str]]:
    return st.lists(_enum(field), min_size=min_size, max_size=4)


def _day(low: date, high: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=low, max_value=high)


_NAMES = st.lists(st.sampled_from(["Jane Doe", "Hans Müller", "François Lefèvre", "Rose Miller",
                                    "Łukasz Wiśniewski"]) | _text(40), max_size=3)


@st.composite
def valid_facts(draw: st.DrawFn) -> StatementFacts:
    application = draw(_day(s.DATE_MIN["application_date"], s.DATE_MAX["application_date"]))
    end = _day(application, s.DATE_MAX["end_date_visibility_restriction"]) | st.none()
    visibility = draw(_subset("decision_visibility"))
    monetary = draw(_enum("decision_monetary") | st.none())
    provision = draw(_enum("decision_provision") | st.none())
    account = draw(_enum("decision_account") | st.none())
    if not (visibility or monetary or provision or account):
        visibility = [draw(_enum("decision_visibility"))]
    content_type = draw(_subset("content_type", min_size=1))
    keywords = draw(_subset("category_specification"))
    ground = draw(_enum("decision_ground"))
    language = draw(_enum("content_language"))
    return StatementFacts(
        decision_ground=ground, ground=draw(_text(600)), explanation=draw(_text(2200)),
        incompatible_content_illegal=draw(st.booleans() | st.none()),
        ground_reference_url=draw(st.sampled_from(
            [None, "https://legal.reviews.example.com/terms#4", "https://eur-lex.europa.eu/"])),
        category=draw(_enum("category")), category_addition=draw(_subset("category_addition")),
        keywords=keywords,
        keyword_other=draw(_text(600)) if s.KEYWORD_OTHER in keywords else None,
        content_type=content_type,
        content_type_other=draw(_text(600)) if s.CONTENT_TYPE_OTHER in content_type else None,
        content_language=draw(st.sampled_from([language, language.lower(),
                                               f"{language.lower()}-XX"])),
        content_date=draw(_day(s.DATE_MIN["content_date"], s.DATE_MAX["content_date"])),
        application_date=application,
        visibility=visibility,
        visibility_other=draw(_text(600)) if s.VISIBILITY_OTHER in visibility else None,
        visibility_end=draw(end) if visibility else None,
        monetary=monetary,
        monetary_other=draw(_text(600)) if monetary == s.MONETARY_OTHER else None,
        monetary_end=draw(end) if monetary else None,
        provision=provision, provision_end=draw(end) if provision else None,
        account=account, account_end=draw(end) if account else None,
        account_type=draw(_enum("account_type") | st.none()),
        territorial_scope=draw(st.sampled_from(["EEA", "EU", "eea"])
                               | st.lists(_enum("territorial_scope"), max_size=5)),
        facts=draw(_text(5200)), source_type=draw(_enum("source_type")),
        source_identity=draw(_text(600) | st.none()),
        automated_detection=draw(st.booleans()),
        automated_decision=draw(_enum("automated_decision")),
        puid=draw(st.from_regex(r"[A-Za-z0-9_-]{1,60}", fullmatch=True)),
        people=draw(_NAMES),
    )


def plus_days(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def make_case(db: Any, ref: str = "r1") -> int:
    """A flag case through the public intake service, for statements to belong to."""
    from pydantic import TypeAdapter

    from integrity_desk.audit.service import SYSTEM
    from integrity_desk.db import utcnow
    from integrity_desk.intake.schemas import CaseIn
    from integrity_desk.intake.service import Intake
    from tests import factories

    with db.session() as session:
        case = Intake(session, now=utcnow(), actor=SYSTEM).submit(
            TypeAdapter(CaseIn).validate_python(factories.flag(ref))).case
        return case.id
