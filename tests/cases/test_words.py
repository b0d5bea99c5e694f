"""Every category and kind has words the users read, and titles read naturally."""

from __future__ import annotations

import pytest

from integrity_desk.cases.domain import (
    CATEGORY_WORDS,
    KIND_WORDS,
    CaseKind,
    GuidelineCategory,
    in_words,
)


def test_every_category_and_kind_has_words() -> None:
    assert set(CATEGORY_WORDS) == set(GuidelineCategory)
    assert set(KIND_WORDS) == set(CaseKind)
    for words in [*CATEGORY_WORDS.values(), *KIND_WORDS.values()]:
        assert "_" not in words and words[0].isupper()


@pytest.mark.parametrize("code, words", [
    ("harmful_illegal", "Harmful or illegal content"), ("csm_escalation", "CSM escalation"),
    ("trusted_flagger_notice", "Trusted-flagger notice"),
    ("waiting_on_requester", "waiting on requester"), (None, ""),
])
def test_codes_in_words(code: str | None, words: str) -> None:
    assert in_words(code) == words
