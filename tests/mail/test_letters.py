"""The intake fields parser reads what a letter says, in English, German and French."""

from datetime import UTC, datetime

import pytest

from integrity_desk.mail.letters import deadline_in, language_of, read_fields
from tests.mail.letters import GERMAN_DEFAMATION


def fields(text: str, subject: str = "", name: str = "A Sender", email: str = "a@x.example"):
    return read_fields(text=text, subject=subject, sender_name=name, sender_email=email)


def test_a_german_defamation_letter_yields_every_field():
    f = fields(GERMAN_DEFAMATION, name="Dr. Anna Schmidt", email="a.schmidt@kanzlei.example")
    assert f.urls == ["https://reviews.example.com/reviews/rv-de-771"]
    assert f.jurisdiction == "DE"
    assert f.notice_type == "defamation"
    assert f.sender_type == "law_firm"
    assert f.legal_basis == "§ 186 StGB"
    assert f.deadline == datetime(2030, 1, 15, 23, 59, tzinfo=UTC)
    assert f.language == "de"
    assert f.good_faith is True
    assert f.missing_art16() == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Please remove it by 15 January 2027.", datetime(2027, 1, 15, 23, 59, tzinfo=UTC)),
    ("Bitte bis zum 15.01.2027 entfernen.", datetime(2027, 1, 15, 23, 59, tzinfo=UTC)),
    ("Merci de le retirer avant le 15/01/2027.", datetime(2027, 1, 15, 23, 59, tzinfo=UTC)),
    ("no later than 2027-02-03", datetime(2027, 2, 3, 23, 59, tzinfo=UTC)),
    ("until March 4, 2027", datetime(2027, 3, 4, 23, 59, tzinfo=UTC)),
    ("spätestens am 5. März 2027", datetime(2027, 3, 5, 23, 59, tzinfo=UTC)),
    ("The review was written on 15.01.2027.", None),  # a date, but no deadline word
    ("by 31.02.2027", None),  # no such day
])
def test_deadlines_in_three_languages(text, expected):
    assert deadline_in(text) == expected


@pytest.mark.parametrize(("text", "jurisdiction", "notice_type"), [
    ("Assignation devant le Tribunal judiciaire de Paris pour diffamation.", "FR",
     "defamation"),
    ("Under English law this review is libel.", "GB", "defamation"),
    ("Wir verlangen die Löschung nach Art. 17 DSGVO.", None, "data_protection_erasure"),
    ("This photo infringes our client's copyright.", None, "intellectual_property"),
    ("Klage vor dem Landgericht Berlin wegen Urheberrecht.", "DE", "intellectual_property"),
])
def test_jurisdiction_and_notice_type_words(text, jurisdiction, notice_type):
    f = fields(text)
    assert (f.jurisdiction, f.notice_type) == (jurisdiction, notice_type)


def test_language_vote_and_too_few_words():
    assert language_of("Nous vous demandons de retirer le contenu dans les meilleurs délais "
                       "pour la société.") == "fr"
    assert language_of("The review is false and we ask you to remove it.") == "en"
    assert language_of("OK") is None


def test_an_incomplete_letter_names_each_missing_art16_element():
    f = fields("Remove it.", name="", email="x@y.example")
    assert f.missing_art16() == ["explanation", "urls", "sender", "good_faith_statement"]
