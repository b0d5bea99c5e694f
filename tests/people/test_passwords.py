"""The password policy, and argon2 run the same way whether or not there is a hash to check."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st

from integrity_desk.demo.seed import DEMO_PASSWORD
from integrity_desk.errors import InvalidInput
from integrity_desk.people import passwords
from integrity_desk.people.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    check_policy,
    hash_password,
    policy_problem,
    verify_password,
)

EMAIL = "sam.sample@desk.example.com"


@pytest.mark.parametrize(("password", "says"), [
    ("short-pass1", "at least 12 characters"),
    ("x" * (MAX_LENGTH - 4) + "abcde", "at most 128"),
    ("abababababab", "5 different characters"),
    ("sam.sample@desk.example.com", "e-mail"),
    ("SAM.SAMPLE@desk.example.com", "e-mail"),
    ("sam.sample2026!!", "e-mail"),
    ("password1234", "most common"),            # on the list as it is
    ("1qaz2wsx3edc", "most common"),
    ("Password123456", "most common"),          # a common word with digits around it
    ("!!Summer2026!!", "most common"),
    ("IntegrityDesk2026", "most common"),       # this product's own name
])
def test_weak_passwords_are_refused_with_the_reason(password: str, says: str) -> None:
    problem = policy_problem(password, email=EMAIL)
    assert problem is not None and says in problem, (password, problem)
    with pytest.raises(InvalidInput) as exc:
        check_policy(password, email=EMAIL)
    assert exc.value.field == "password"


@pytest.mark.parametrize("password", [
    "violet-harbour-engine-42", DEMO_PASSWORD, "correct horse battery", "x" * 120 + "abcdefgh",
])
def test_good_passwords_pass(password: str) -> None:
    assert policy_problem(password, email=EMAIL) is None


def test_limits() -> None:
    assert policy_problem("a1b2c3d4e5f6"[:MIN_LENGTH - 1], email=None) is not None
    assert "zxcvbn" in (passwords.Path(passwords.__file__).with_name(
        "common_passwords.txt").read_text()[:400])
    assert len(passwords.common_passwords()) > 10_000 - 100


@given(st.text(max_size=200), st.one_of(st.none(), st.emails()))
def test_the_policy_answers_any_input_and_never_lets_out_of_bounds_through(
        password: str, email: str | None) -> None:
    problem = policy_problem(password, email=email)
    if problem is None:
        assert MIN_LENGTH <= len(password) <= MAX_LENGTH


def test_hashes_are_argon2id_and_verify() -> None:
    digest = hash_password("violet-harbour-engine-42")
    assert digest.startswith("$argon2id$")
    assert verify_password(digest, "violet-harbour-engine-42")
    assert not verify_password(digest, "violet-harbour-engine-43")
    assert not verify_password(digest, "x" * 10_000)
    assert not verify_password("not a hash", "violet-harbour-engine-42")


def test_production_parameters_are_argon2_defaults() -> None:
    """Tests swap in a cheap hasher (conftest); the module itself makes argon2-cffi's default."""
    import importlib

    cheap = passwords._hasher
    try:
        importlib.reload(passwords)
        default = PasswordHasher()
        assert (passwords._hasher.time_cost, passwords._hasher.memory_cost) == (
            default.time_cost, default.memory_cost)
        assert default.memory_cost >= 65536 and default.time_cost >= 3
    finally:
        passwords._hasher = cheap
        passwords._dummy_hash.cache_clear()


def test_no_hash_still_runs_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown account or one without a password costs the same argon2 verification."""
    calls: list[str] = []
    real = passwords._hasher

    class Spy:
        def verify(self, digest: str, password: str) -> bool:
            calls.append(digest)
            return real.verify(digest, password)

        def hash(self, password: str) -> str:
            return real.hash(password)

    monkeypatch.setattr(passwords, "_hasher", Spy())
    assert verify_password(None, "anything at all 1") is False
    assert verify_password("", "anything at all 1") is False
    assert len(calls) == 2 and all(c.startswith("$argon2id$") for c in calls)
