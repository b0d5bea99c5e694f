"""Reply tokens and Message-IDs: a letter's answer finds its case, a forged one finds none."""

from hypothesis import given
from hypothesis import strategies as st

from integrity_desk.messages import addresses as a

SECRET = "test-secret"


@given(st.integers(min_value=1, max_value=10**12 - 1))
def test_a_token_names_its_case_and_only_under_our_key(case_id: int) -> None:
    token = a.reply_token(case_id, SECRET)
    assert a.token_case(token, SECRET) == case_id
    assert a.token_case(token.upper(), SECRET) == case_id
    assert a.token_case(token, "another-key") is None


def test_a_guessed_or_mangled_token_names_nothing() -> None:
    genuine = a.reply_token(12, SECRET)
    assert a.token_case(genuine.replace("c12-", "c13-"), SECRET) is None
    assert a.token_case(genuine[:-1], SECRET) is None
    assert a.token_case("hello", SECRET) is None


def test_the_reply_address_carries_the_token_and_keeps_the_name() -> None:
    address = a.reply_address(12, reply_to="Desk <replies@desk.example>", secret=SECRET)
    assert address == f"Desk <replies+{a.reply_token(12, SECRET)}@desk.example>"
    assert a.case_from_address(address, SECRET) == 12
    assert a.case_from_address("legal@desk.example", SECRET) is None
    assert a.case_from_address("replies+c12-0000000000@desk.example", SECRET) is None


def test_the_subject_carries_the_token_once() -> None:
    subject = a.subject_with_token("Your notice", 7, SECRET)
    assert subject == f"Your notice [ref:{a.reply_token(7, SECRET)}]"
    assert a.subject_with_token(subject, 7, SECRET) == subject
    assert a.case_from_subject("Re: AW: " + subject, SECRET) == 7
    assert a.case_from_subject("Re: Your notice [ref:c7-0123456789]", SECRET) is None


def test_a_message_id_is_stable_and_leads_back_to_its_case() -> None:
    first = a.message_id(17, 12, domain="desk.example", secret=SECRET)
    assert first == a.message_id(17, 12, domain="desk.example", secret=SECRET)
    assert first.startswith("<outbox-17.c12-") and first.endswith("@desk.example>")
    references = f"<other@mail.example> {first}"
    assert a.case_from_message_ids(references, domain="desk.example", secret=SECRET) == 12
    assert a.case_from_message_ids(references, domain="elsewhere.example", secret=SECRET) is None
    forged = "<outbox-17.c13-0123456789@desk.example>"
    assert a.case_from_message_ids(forged, domain="desk.example", secret=SECRET) is None
    assert a.message_id(3, None, domain="desk.example", secret=SECRET) == "<outbox-3@desk.example>"


def test_domain_of_reads_a_header_address() -> None:
    assert a.domain_of("Integrity Desk <desk@Integrity.Example>") == "integrity.example"


def test_a_bounce_address_names_its_letter_and_only_under_our_key() -> None:
    address = a.bounce_address(17, reply_to="Desk <replies@desk.example>", secret=SECRET)
    assert address.startswith("replies+b17-") and address.endswith("@desk.example")
    assert a.bounced_letter(address, SECRET) == 17
    assert a.bounced_letter(f"<{address.upper()}>", SECRET) == 17
    assert a.bounced_letter(address, "another-key") is None
    assert a.bounced_letter(address.replace("+b17-", "+b18-"), SECRET) is None
    assert a.bounced_letter("replies+c17-0123456789@desk.example", SECRET) is None
    # A case's reply address is not a bounce address, and the other way round.
    assert a.case_from_address(address, SECRET) is None
