"""How a query is read, turned into FTS5 syntax and highlighted: pure, no database."""

from __future__ import annotations

import pytest

from integrity_desk.cases.domain import CaseKind
from integrity_desk.errors import InvalidInput
from integrity_desk.search.domain import (
    clean,
    fts5_match,
    highlight_terms,
    parse_query,
    segments,
    snippet,
)
from integrity_desk.search.text import search_text


def test_keys_urls_domains_and_qualifiers() -> None:
    assert parse_query("flg-12").key == (CaseKind.FLAG, 12)
    assert parse_query("flg-12").text is None
    bare = parse_query("12")
    assert bare.key == (None, 12) and bare.text == "12" and not bare.explicit_key
    url = parse_query("https://reviews.example.com/reviews/r-9?x=1")
    assert url.review_refs == ["r-9"] and url.text is None
    assert parse_query("https://www.Shop.example.com/about").domains == ["shop.example.com"]
    assert parse_query("https://reviews.example.com/review/shop.example.com").domains == [
        "shop.example.com"]
    token = parse_query("u-42")
    assert token.review_refs == ["u-42"] and token.reviewer_refs == ["u-42"]
    assert token.text == "u-42" and token.organisation == "u-42"
    assert parse_query("shop.example.com").domains == ["shop.example.com"]
    assert parse_query("reviewer:u-42").reviewer_refs == ["u-42"]
    assert parse_query("org:Counsel & Co").organisation == "Counsel & Co"
    assert parse_query("business:https://shop.example.com/x").domains == ["shop.example.com"]
    words = parse_query("hotel refund")
    assert words.text == "hotel refund" and words.review_refs == [] and words.domains == []


@pytest.mark.parametrize("q", ["", " \t ", "x" * 201, "a\x00b", "me@example.com",
                               "+45 12 34 56 78"])
def test_bad_queries_name_q(q: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        clean(q)
    assert bad.value.field == "q"


def test_websearch_syntax_becomes_quoted_fts5() -> None:
    assert fts5_match("hotel refund") == '"hotel" AND "refund"'
    assert fts5_match('"review ring" -dentist') == '"review ring" NOT "dentist"'
    assert fts5_match("bakery or dentist hotel") == '("bakery" OR "dentist") AND "hotel"'
    assert fts5_match('NEAR(a b) AND "x') == '"NEAR a" AND "b" AND "AND" AND "x"'
    assert fts5_match("bench-r12") == '"bench r12"'
    assert fts5_match("-only") is None and fts5_match("***") is None


def test_snippets_mark_whole_words_and_keep_to_a_window() -> None:
    terms = highlight_terms('Hotel "late night" -dentist or')
    assert terms == {"hotel", "late", "night"}
    assert segments("The hotel's HOTEL hotelier", terms) == [
        ("The ", False), ("hotel", True), ("'s ", False), ("HOTEL", True), (" hotelier", False)]
    long = "word " * 100 + "hotel here" + " tail" * 100
    shown = snippet(long, terms)
    assert shown is not None and shown[0] == ("… ", False) and shown[-1] == (" …", False)
    assert ("hotel", True) in shown and len("".join(t for t, _ in shown)) < 200
    assert snippet("nothing to see", terms) is None


def test_the_index_never_sees_contact_details() -> None:
    text = "Mail jo.doe+x@mail.example.co.uk or call +45 (12) 34-56-78, about the hotel"
    indexed = search_text(text) or ""
    assert "doe" not in indexed and "example" not in indexed
    assert "34" not in indexed and "hotel" in indexed
    assert search_text("Hotel opened in 2019, 5 rooms") == "Hotel opened in 2019, 5 rooms"
