"""Reviewer rings at scale: time, rings found and planted rings recovered.

    .venv/bin/python -m bench.bench_signal_rings [--reviews 100000] [--planted 50]

Builds ``--reviews`` reviews by 20,000 accounts over 5,000 businesses and a year, business
popularity skewed (Zipf-like: the top few get thousands of reviews, hundreds on some days) so
the crowd rule is exercised, and plants ``--planted`` rings: 3-8 accounts each reviewing the
same 3-6 businesses within 3 days, a third of the rings with one device among some members.
Prints the time of ``find_rings``, the rings found, how many planted rings came back exactly
(same accounts) or mostly (≥ 80 % of their accounts in one ring), and rings with no planted
member (false alarms on random data).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date, timedelta

from integrity_desk.signals.records import ReviewRecord
from integrity_desk.signals.rings import find_rings

D0 = date(2026, 1, 1)


def build(reviews: int, planted: int, seed: int = 11) -> tuple[list[ReviewRecord],
                                                                list[set[str]]]:
    rng = random.Random(seed)
    weights = [1 / (n + 1) ** 1.1 for n in range(5000)]
    out: list[ReviewRecord] = []
    rings: list[set[str]] = []
    for g in range(planted):
        members = [f"ring{g}-{n}" for n in range(rng.randint(3, 8))]
        start = rng.randrange(300)
        device = f"dev{g}" if g % 3 == 0 else None
        for j in range(rng.randint(3, 6)):
            business = f"b{rng.randrange(5000)}"
            day = start + 5 * j
            for n, m in enumerate(members):
                out.append(ReviewRecord(f"{m}@{j}", m, business,
                                        D0 + timedelta(days=day + rng.randint(0, 3)), 5,
                                        device=device if device and n < 3 else None))
        rings.append(set(members))
    businesses = rng.choices(range(5000), weights=weights, k=reviews - len(out))
    for n, b in enumerate(businesses):
        out.append(ReviewRecord(f"r{n}", f"u{rng.randrange(20000)}", f"b{b}",
                                D0 + timedelta(days=rng.randrange(365)), rng.randint(1, 5)))
    rng.shuffle(out)
    return out, rings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--planted", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    reviews, planted = build(args.reviews, args.planted)
    times, cpu = [], []
    for _ in range(args.runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        rings = find_rings(reviews)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    found = [set(r.reviewers) for r in rings]
    exact = sum(1 for p in planted if p in found)
    mostly = sum(1 for p in planted if any(len(p & f) >= 0.8 * len(p) for f in found))
    false = sum(1 for f in found if not any(name.startswith("ring") for name in f))
    print(f"{len(reviews):,} reviews, {len(planted)} planted rings")
    print(f"find_rings: best {min(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f} s"
          f" over {args.runs} runs (CPU {min(cpu):.2f} s; load {os.getloadavg()[0]:.1f})")
    print(f"rings found: {len(rings)}; planted recovered exactly {exact}/{len(planted)}, "
          f"mostly {mostly}/{len(planted)}; rings of random accounts only: {false}")


if __name__ == "__main__":
    main()
