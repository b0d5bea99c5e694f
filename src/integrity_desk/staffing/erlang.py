"""Erlang C: how many people a queue needs so that enough of its work starts in time.

The formulas are kpis.md's (``../shared/reference/kpis.md``, "Staffing"): with arrivals λ per
interval and an average handling time AHT in the same unit the offered load is A = λ · AHT
Erlangs; with N people (N > A)

* Erlang B by recursion, B₀ = 1, B_k = A·B_{k−1} ÷ (k + A·B_{k−1}) — every term is a
  probability in [0, 1], so it never overflows where the textbook form's Aᴺ/N! does (at N = 200
  and A = 180 that form needs 10³⁷⁵);
* the probability of waiting C(N, A) = N·B_N ÷ (N − A·(1 − B_N));
* service level for a target wait t: SL = 1 − C(N, A) · e^(−(N − A)·t ÷ AHT);
* average speed of answer ASA = C(N, A) · AHT ÷ (N − A); occupancy = A ÷ N;
* required people = the smallest N > A with SL ≥ the target; scheduled = required ÷ (1 −
  shrinkage), since breaks, meetings and training take that share of paid time.

Pure functions, no I/O. Erlang C assumes one first-come-first-served queue with Poisson
arrivals and exponential handling; the desk's queues have priorities and routing rules, which is
why a plan is checked against the simulation (staffing/simulate.py) and the figures say so.
"""

from __future__ import annotations

import math

MAX_AGENTS = 100_000  # a search bound: no queue needs more, and a bad input cannot loop


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability B(N, A) by the stable recursion."""
    _check(agents, load)
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(agents: int, load: float) -> float:
    """Probability that work waits, C(N, A); 1 when N ≤ A (the queue grows without end)."""
    _check(agents, load)
    if agents <= load:
        return 1.0
    if load == 0:
        return 0.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1 - b))


def service_level(agents: int, load: float, aht: float, target: float) -> float:
    """Share of the work that starts within ``target`` (same unit as ``aht``)."""
    if agents <= load:
        return 0.0
    if load == 0:
        return 1.0
    c = erlang_c(agents, load)
    return max(0.0, 1.0 - c * math.exp(-(agents - load) * target / aht))


def average_speed_of_answer(agents: int, load: float, aht: float) -> float:
    """Mean wait before work starts (unit of ``aht``); infinite when N ≤ A."""
    if agents <= load:
        return math.inf
    return erlang_c(agents, load) * aht / (agents - load)


def occupancy(agents: int, load: float) -> float:
    """Share of the people's time spent handling work (at most 1)."""
    if agents <= 0:
        return 1.0 if load > 0 else 0.0
    return min(1.0, load / agents)


def required_agents(load: float, aht: float, target: float, level: float) -> int:
    """The fewest people, more than the load, whose service level reaches ``level``."""
    if not 0 < level < 1:
        raise ValueError(f"a service-level target is a share between 0 and 1, not {level}")
    if aht <= 0 or target < 0:
        raise ValueError("the handling time is positive and the target wait not negative")
    if load == 0:
        return 0
    n = max(1, math.floor(load) + 1)
    # The recursion restarts from scratch each step in a naive search; B_N grows from B_{N-1},
    # so carry it: hundreds of people cost hundreds of steps, not tens of thousands.
    b = erlang_b(n - 1, load)
    while n <= MAX_AGENTS:
        b = load * b / (n + load * b)
        c = n * b / (n - load * (1 - b))
        if 1.0 - c * math.exp(-(n - load) * target / aht) >= level:
            return n
        n += 1
    raise ValueError(f"more than {MAX_AGENTS:,} people would be needed")


def scheduled_agents(required: int, shrinkage: float) -> int:
    """People to have on shift so that ``required`` are handling work after shrinkage."""
    if not 0 <= shrinkage < 1:
        raise ValueError(f"shrinkage is a share in [0, 1), not {shrinkage}")
    # round() first: 13 / (1 − 0.35) is 20.000000000000004 in floating point, not 21.
    return math.ceil(round(required / (1 - shrinkage), 9))


def _check(agents: int, load: float) -> None:
    if agents < 0 or load < 0 or not math.isfinite(load):
        raise ValueError(f"agents and load are not negative (got {agents}, {load})")
