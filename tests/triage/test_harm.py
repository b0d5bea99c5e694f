"""Triage's harm classifier: what it hides and why, in words; and its measured quality."""

from __future__ import annotations

import pytest

from bench.harm_classifier import DATA, measure
from integrity_desk.triage.harm import classify, harm_words, merge_harms, parse_harms


@pytest.mark.parametrize(("text", "language", "harms"), [
    ("I will kill you and your family", None, ("threat",)),
    ("I know where he lives. Someone should teach him a lesson.", "en", ("threat",)),
    ("Ich bring dich um, du bist tot", "de", ("threat",)),
    ("Je vais te tuer", "fr", ("threat",)),
    ("They posted a beheading video in the comments", "en", ("violence",)),
    ("the waiter is a f4ggot", "en", ("hate",)),
    ("biiiitch please", "en", ("hate",)),
    ("send nudes to the owner", "en", ("sexual",)),
    ("kill yourself you nigger", "en", ("threat", "hate")),
])
def test_harmful_text_is_named_in_words(text: str, language: str | None,
                                        harms: tuple[str, ...]) -> None:
    verdict = classify(text, language=language)
    assert verdict.harms == harms
    assert verdict.harmful and verdict.found


@pytest.mark.parametrize(("text", "language"), [
    ("Friendly staff, clean rooms and a great breakfast. We will come back next summer.", "en"),
    ("Stopped for a bite to eat; the pipe organ concert next door was lovely.", "en"),
    ("The wait was torture and they massacred my haircut.", "en"),  # hyperbole is not gore
    ("I'll shoot you an email about the refund.", "en"),
    ("Ich bringe meinen Hund mit, das Personal war nett.", "de"),
    ("Une bite? Non: le coq au vin était parfait.", "en"),  # French word read only in French
    ("", None),
])
def test_harmless_text_is_left_alone(text: str, language: str | None) -> None:
    assert not classify(text, language=language).harmful


def test_another_languages_words_are_read_only_in_that_language() -> None:
    assert not classify("ce resto est une pute", language="en").harmful
    assert classify("ce resto est une pute", language="fr").harms == ("hate",)
    assert classify("ce resto est une pute", language=None).harms == ("hate",)


def test_an_attachments_name_says_what_it_shows() -> None:
    assert classify("see attached", attachments=[("beheading_clip.mp4", "video/mp4")]
                    ).harms == ("violence",)
    assert classify("", attachments=[("nudes-2024.zip", "application/zip")]).harms == (
        "sexual",)
    assert not classify("", attachments=[("invoice.pdf", "application/pdf")]).harmful


def test_stored_codes_and_words() -> None:
    verdict = classify("I will kill you, you nigger")
    assert verdict.code == "threat,hate"
    assert verdict.words == "threat of violence, hate speech"
    assert harm_words(None) == ""
    assert parse_harms("hate,bogus,sexual") == ("hate", "sexual")
    assert merge_harms("sexual", None, "hate,sexual", "threat") == "threat,hate,sexual"
    assert merge_harms(None, "") is None


def test_measured_on_labelled_data() -> None:
    """The figures docs/wellbeing.md gives, with a floor under each (Davidson et al.)."""
    if not DATA.exists():
        pytest.skip(f"the labelled data is not here ({DATA}): shared/data is absent")
    figures = measure(DATA)
    assert figures.texts == 24_783
    assert figures.precision >= 0.97
    assert figures.recall >= 0.90
    assert figures.hate_recall >= 0.80
    assert figures.neither_flagged <= 0.08
