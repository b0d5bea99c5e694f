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
    for token in ("[e-mail]", "[phone]", "[profile]", "[name]"):
        assert token in expected
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
