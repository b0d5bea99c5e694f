"""The retry policy both deliveries use (webhooks, e-mail): exponential, capped, jittered by
half, a receiver's Retry-After honoured up to the cap, and a last attempt."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from integrity_desk.retries import RetryPolicy

POLICY = RetryPolicy(max_attempts=5, base_seconds=10, cap_seconds=300)


@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=2**32))
def test_the_delay_doubles_is_capped_and_keeps_half_fixed(attempts: int, seed: int) -> None:
    ceiling = min(300, 10 * 2 ** (attempts - 1))
    delay = POLICY.delay(attempts, rng=random.Random(seed))
    assert ceiling / 2 <= delay <= ceiling


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    assert POLICY.delay(1, retry_after=120, rng=random.Random(1)) == 120
    assert POLICY.delay(1, retry_after=10_000, rng=random.Random(1)) == 300


def test_the_last_attempt() -> None:
    assert not POLICY.exhausted(4) and POLICY.exhausted(5)
