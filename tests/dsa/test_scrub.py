"""The scrubber against its corpus of realistic, multilingual case notes, and its properties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrity_desk.dsa.scrub import has_personal_data, scrub

CORPUS: list[dict[str, Any]] = json.loads(
    Path(__file__).with_name("scrub_corpus.json").read_text())["cases"]


@pytest.mark.parametrize("case", CORPUS, ids=[f"{c['lang']}-{i}" for i, c in enumerate(CORPUS)])
def test_corpus(case):
    assert scrub(case["text"], names=case["names"]) == case["expected"]


def test_the_corpus_covers_every_kind_in_several_languages():
    assert len({c["lang"] for c in CORPUS}) >= 6
    expected = " ".join(c["expected"] for c in CORPUS)
    for token in ("[e-mail]", "[phone]", "[profile]", "[name]", "[account]", "[ip]",
                  "[address]"):
        assert token in expected
        for lang in ("en", "de", "fr"):  # every kind in each of the desk's three languages
            assert any(token in c["expected"] for c in CORPUS if c["lang"] == lang), (token, lang)
    assert sum(1 for c in CORPUS if c.get("keep")) >= 8  # ordinary text stays as it is
    for case in CORPUS:
        assert case.get("keep", False) == (case["text"] == case["expected"])


def test_another_platform_host_can_be_named():
    text = "See https://www.trustedreviews.example.org/users/jane and https://reviews.example.com/users/x"
    assert scrub(text, profile_hosts=["trustedreviews.example.org"]) == \
        "See [profile] and https://reviews.example.com/users/x"


def test_unusual_but_valid_addresses_go_and_the_sentence_stays():
    text = "Mail /@A.AX, 'jane@example.com', a@b.xn--p1ai or o'brien@example.ie; 5/@home."
    assert scrub(text) == "Mail [e-mail], '[e-mail]', [e-mail] or [e-mail]; 5/@home."


def test_has_personal_data():
    assert has_personal_data("mail me: jane@example.com")
    assert not has_personal_data("Removed on 2026-11-25 for €12.50, review r50012.")
    assert not has_personal_data("")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300), st.lists(st.text(min_size=2, max_size=20), max_size=3))
def test_scrubbing_is_idempotent(text, names):
    once = scrub(text, names=names)
    assert scrub(once, names=names) == once


@settings(max_examples=200, deadline=None)
@given(st.emails(), st.sampled_from(["Mail ", "Kontakt: ", "écrivez à "]))
def test_any_email_goes(email, lead):
    assert "@" not in scrub(f"{lead}{email} bitte.")


@pytest.mark.parametrize("number", [
    "+49 30 1234567", "0049 89 12345678", "030 1234567", "0171 2345678",  # Germany
    "+33 6 12 34 56 78", "01 23 45 67 89", "06.12.34.56.78",  # France
    "+43 1 5124567", "0664 1234567", "+39 06 1234 5678", "+31 20 123 4567", "020 123 4567",
    "+48 512 345 678", "+353 1 234 5678", "+46 8 123 456 78", "+44 20 7946 0958",
])
def test_phone_numbers_in_eu_formats_go(number):
    assert scrub(f"Reach him at {number} today.") == "Reach him at [phone] today."


def test_numbers_no_numbering_plan_allows_stay():
    """phonenumbers judges the candidates: a trunk 0 alone does not make a phone number."""
    for text in ("Aktenzeichen 0000 000000 liegt vor.", "Gutschein 00000000 eingelöst.",
                 "ratio 0.75 over 0,5 s"):
        assert scrub(text) == text


def test_ibans_are_checked_not_guessed():
    assert scrub("Pay NL91 ABNA 0417 1643 00 now") == "Pay [account] now"
    bad = "GB82WEST12345698765433"  # one digit off: not an IBAN
    assert scrub(f"Ref {bad} now") == f"Ref {bad} now"
    assert scrub("IBAN: GB82WEST12345698765432.") == "IBAN: [account]."


def test_ip_addresses_but_not_versions_times_or_sections():
    assert scrub("from 10.20.30.40, [2001:db8::1] and fe80::1%eth0") == \
        "from [ip], [[ip]] and [ip]"
    for text in ("version 10.2.0.1", "Abschnitt 4.1.2.3", "at 10:30:15", "1.299,00 €"):
        assert scrub(text) == text


def test_the_same_people_are_indexed_once():
    from integrity_desk.dsa.scrub import _scrub
    from integrity_desk.dsa.scrub_names import matcher_for

    people = tuple(f"Person{n} Family{n}" for n in range(300))
    _scrub.cache_clear()
    matcher_for.cache_clear()
    for n in range(50):
        assert scrub(f"Person{n} wrote to Family{n + 1}.", names=people) == \
            "[name] wrote to [name]."
    assert matcher_for.cache_info().misses == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("Sie wohnt Kölner Str. 12-14, D-50667 Köln.", "Sie wohnt [address]."),
    ("Adresse : CP 75002 Paris, 3 ter avenue des Champs.", "Adresse : CP [address], [address]."),
    ("Flat 2, 10 Queen's Road, Bristol BS8 1QU is his.", "[address] is his."),
    ("Review ring 37 accounts, in 12000 Fällen, 5 avis, 14 reviews Street-wise.", None),
    ("Die 3 Bewertungen vom 12. März 2026 um 14 Uhr, Seite 12.", None),
])
def test_addresses_and_what_is_none(text, expected):
    assert scrub(text) == (text if expected is None else expected)
