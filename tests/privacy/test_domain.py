"""Masking and erasure rules: what is found and hidden, and what must be left alone."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrity_desk.privacy.domain import (
    ERASED,
    contacts_in,
    erase_json,
    erase_text,
    erased_requester,
    mask_contact,
    mask_email,
    mask_json,
    mask_name,
    mask_phone,
    mask_requester_name,
    mask_text,
)

# -- single values ------------------------------------------------------------------------------

@pytest.mark.parametrize(("email", "masked"), [
    ("jane.doe@example.com", "j***@e***.com"),
    ("jane@counsel.example.co.uk", "j***@c***.uk"),
    ("4512345678@sms.example.dk", "4***@s***.dk"),
])
def test_email_keeps_first_letters_and_tld(email, masked):
    assert mask_email(email) == masked


@pytest.mark.parametrize(("phone", "masked"), [
    ("+45 12 34 56 12", "+45 •••• ••12"),
    ("+4512345612", "+45 •••• ••12"),
    ("0045 12 34 56 12", "+45 •••• ••12"),
    ("(+45) 12 34 56 12", "+45 •••• ••12"),
    ("+1 (555) 123-4567", "+1 •• •••• ••67"),
    ("+353 1 234 5678", "+353 •••• ••78"),
    ("06 12 34 56 78", "•• •••• ••78"),
])
def test_phone_keeps_country_code_and_last_two_digits(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("name", "masked"), [
    ("Jane Counsel", "J. C."), ("jean-luc picard", "j. p."), ("Ørsted", "Ø."),
    ("Anna  van der Berg", "A. v. d. B."), ("", ""),
])
def test_name_becomes_initials(name, masked):
    assert mask_name(name) == masked


def test_contact_is_masked_by_what_it_is():
    assert mask_contact("rob@mail.example.com") == "r***@m***.com"
    assert mask_contact("+45 12 34 56 12") == "+45 •••• ••12"
    assert mask_contact("Vesterbrogade 1, 1620 København") == "V•••"
    assert mask_contact(None) is None


@pytest.mark.parametrize("kind", ["consumer", "reviewer", "notifier", "business", "executive"])
def test_private_persons_names_are_masked(kind):
    assert mask_requester_name(kind, "Cara Consumer") == "C. C."
    assert erased_requester(kind, "Cara Consumer", "c@x.com") == (None, None)


@pytest.mark.parametrize("kind", ["law_firm", "authority", "court", "trusted_flagger", "csm",
                                  "internal", "automated_detector"])
def test_names_of_organisations_lawyers_and_staff_stay(kind):
    assert mask_requester_name(kind, "Jane Counsel") == "Jane Counsel"
    assert erased_requester(kind, "Jane Counsel", "jane@law.example.com") == ("Jane Counsel", None)


# -- free text: what is found -------------------------------------------------------------------

@pytest.mark.parametrize("phone", [
    "+45 12 34 56 12", "+4512345612", "0045 12345612", "+1 (555) 123-4567", "+1-415-555-0132",
    "0044 20 7946 0958", "(020) 7946 0958", "555-123-4567", "555.123.4567", "+49-30-1234567",
    "+49 (0)30 1234567", "+33 6 12 34 56 78", "06.12.34.56.78", "0612345678", "12345678",
    "0171 1234567", "+44 7700 900123", "+353 1 234 5678", "612 345 678", "(+45) 12 34 56 12",
])
def test_phone_numbers_in_text_are_masked(phone):
    text = f"Please call me on {phone}, thanks."
    masked = mask_text(text)
    assert contacts_in(text) == [phone]
    assert phone not in masked
    assert masked.startswith("Please call me on ") and masked.endswith(", thanks.")
    national = re.sub(r"\D", "", phone)[-6:-2]
    assert national not in re.sub(r"[^\d]", "", masked)


@pytest.mark.parametrize("text", [
    "Decided on 2026-11-24, deadline 24.11.2026, informed 11/24/2026, filed 2026/11/24.",
    "At 2026-11-24T10:00:00Z and 2026-11-24 09:30:00+01:00.",
    "Active 2019-2024; version 1.2.3; from 192.168.1.1.",
    "See FLG-12345678, LGL-5, APL-900000001, r50012, u1003 and order #123456789.",
    "Revenue €1,299.00, 1.299,00 €, $120,000, USD 4,500,000, 4 500 000 kr, EUR 1.250.000.",
    "It cost 120000 a year, 12345.67 in total, 1.250.000 overall, 12 500 000 at stake.",
    "https://reviews.example.com/reviews/r50012345678 and https://x.example.com/a/20261124",
    "Rated 5/5 by 1234567 users.",
])
def test_dates_keys_ids_and_prices_are_left_alone(text):
    assert mask_text(text) == text
    assert contacts_in(text) == []


def test_email_inside_a_url_is_masked_but_the_url_stays():
    text = "https://reviews.example.com/r/r5?from=jane@example.com"
    assert mask_text(text) == "https://reviews.example.com/r/r5?from=j***@e***.com"


# -- free text: properties ----------------------------------------------------------------------

_cc = st.sampled_from(["1", "7", "31", "33", "44", "45", "46", "49", "353", "358", "420"])
# At most 12 national digits: with the country code, E.164's 15.
_groups = st.lists(st.integers(min_value=10, max_value=9999), min_size=2, max_size=3)
_sep = st.sampled_from([" ", "-", ".", "\u00a0", " - "])


@st.composite
def international_phones(draw: st.DrawFn) -> str:
    cc = draw(_cc)
    groups = [str(g) for g in draw(_groups)]
    while len("".join(groups)) < 6:
        groups.append(str(draw(st.integers(min_value=100, max_value=999))))
    prefix = draw(st.sampled_from(["+", "00"]))
    return f"{prefix}{cc} " + draw(_sep).join(groups)


@given(international_phones(), st.sampled_from(["Call ", "tel: ", "(", "ring mig på "]),
       st.sampled_from(["", ".", ", today", ")"]))
def test_any_international_phone_in_text_is_masked(phone, before, after):
    digits = re.sub(r"\D", "", phone)
    masked = mask_text(before + phone + after)
    assert phone not in masked
    shown = re.sub(r"\D", "", masked)
    assert len(shown) <= 3 + 2, (phone, masked)   # the country code and the last two digits
    assert shown.endswith(digits[-2:])


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10)


@given(_word, _word, st.sampled_from(["com", "org", "de", "co.uk", "example"]))
def test_any_email_in_text_is_masked(local, host, tld):
    email = f"{local}.x@{host}.{tld}"
    masked = mask_text(f"Reply to {email} please")
    assert masked == f"Reply to {local[0]}***@{host[0]}***.{tld.rsplit('.', 1)[-1]} please"
    assert contacts_in(f"Reply to {email} please") == [email]


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)),
       st.sampled_from(["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d", "%d-%m-%Y",
                        "%Y-%m-%dT%H:%M:%SZ"]))
def test_any_date_is_left_alone(day, fmt):
    text = f"Decided on {day.strftime(fmt)} after review."
    assert mask_text(text) == text


@given(st.integers(min_value=1, max_value=2**31 - 1),
       st.sampled_from(["FLG", "CSM", "EXE", "APL", "LGL", "TFN", "INV"]))
def test_any_case_key_is_left_alone(number, prefix):
    text = f"Merged into {prefix}-{number}; see r{number} and u{number}."
    assert mask_text(text) == text


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99),
       st.sampled_from(["€{a}", "{a} €", "${a}", "{a} EUR", "USD {a}", "{a} kr"]),
       st.sampled_from([",", ".", " ", ""]))
def test_any_price_is_left_alone(units, cents, shape, thousands):
    grouped = f"{units:,}".replace(",", thousands)
    decimal = "," if thousands == "." else "."
    amount = shape.format(a=f"{grouped}{decimal}{cents:02d}")
    text = f"The refund was {amount} in total."
    assert mask_text(text) == text


@given(st.text(max_size=200))
def test_masking_is_idempotent_and_total(text):
    once = mask_text(text)
    assert mask_text(once) == once
    assert contacts_in(once) == []


@given(st.text(max_size=200))
def test_erasure_leaves_no_contact_behind(text):
    assert contacts_in(erase_text(text)) == []


# -- JSON -----------------------------------------------------------------------------------------

def test_mask_json_scans_every_string_but_the_kept_keys():
    payload = {"body": "mail me: jo@example.com", "assignee": "sam@desk.example.com",
               "nested": [{"reason": "+45 12 34 56 12"}], "n": 12345678}
    assert mask_json(payload, keep={"assignee"}) == {
        "body": "mail me: j***@e***.com", "assignee": "sam@desk.example.com",
        "nested": [{"reason": "+45 •••• ••12"}], "n": 12345678}


def test_erase_json_erases_free_text_scrubs_the_rest_and_keeps_the_decision():
    details = {"reason": "I am Jane, jane@example.com", "urls": ["https://x.example.com/r/1"],
               "note": "call +45 12 34 56 12", "outcome": "removed; told jane@example.com"}
    assert erase_json(details, free_text=frozenset({"reason"}),
                      keep=frozenset({"outcome"})) == {
        "reason": ERASED, "urls": ["https://x.example.com/r/1"], "note": f"call {ERASED}",
        "outcome": "removed; told jane@example.com"}


def test_phone_grouping_of_short_numbers():
    assert mask_phone("+45 12") == "+45 ••"
    assert mask_phone("123") == "•23"
