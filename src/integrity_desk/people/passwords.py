"""Password policy and hashing.

The policy is pure (testable without a database) and applied wherever a password is set: on
creating a user and on an admin's reset. Verification always runs argon2, even when there is no
hash to check against, so that the time a sign-in takes does not tell whether an account exists.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from integrity_desk.errors import InvalidInput

MIN_LENGTH = 12
# Long enough for any passphrase, short enough that hashing it is no denial-of-service lever.
MAX_LENGTH = 128
MIN_DISTINCT = 5
# Words that would be the first guesses against this product in particular.
_DESK_WORDS = frozenset({"integrity", "integritydesk", "integrity desk", "idesk", "desk",
                         "escalation", "escalations", "changeme", "welcome"})
_EDGES = re.compile(r"^[\d\W_]+|[\d\W_]+$")

_hasher = PasswordHasher()


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (zxcvbn's most frequent 10,000), read once."""
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#")) | _DESK_WORDS


def _core(text: str) -> str:
    """A password without the digits and symbols people put around a word ('Summer2026!')."""
    return _EDGES.sub("", text)


def policy_problem(password: str, *, email: str | None = None) -> str | None:
    """Why this password may not be used, or None if it may."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password may have at most {MAX_LENGTH} characters"
    if len(set(password)) < MIN_DISTINCT:
        return f"a password needs at least {MIN_DISTINCT} different characters"
    lowered = password.lower()
    core = _core(lowered)
    if email:
        address = email.strip().lower()
        own = {address, address.partition("@")[0]}
        if lowered in own or core in own:
            return "a password may not be the e-mail address"
    common = common_passwords()
    if lowered in common or core in common:
        return "this is one of the most common passwords; choose another"
    return None


def check_policy(password: str, *, email: str | None = None) -> None:
    problem = policy_problem(password, email=email)
    if problem:
        raise InvalidInput(problem, field="password")


def hash_password(password: str, *, email: str | None = None) -> str:
    """Apply the policy, then hash with argon2id."""
    check_policy(password, email=email)
    return _hasher.hash(password)


def rehash_password(password: str) -> str:
    """A fresh hash of a password already in use (stronger parameters): no policy check, the
    person chose it under the policy of its day and is signing in with it."""
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("no account has this password: it only burns time")


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; runs argon2 against a dummy hash when there is none."""
    if len(password) > MAX_LENGTH:
        password = password[:MAX_LENGTH + 1]  # never matches a hash of an allowed password
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False
