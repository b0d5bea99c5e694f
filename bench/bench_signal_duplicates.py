"""Near-duplicate texts at scale: time, clusters found and planted clusters recovered.

    .venv/bin/python -m bench.bench_signal_duplicates [--reviews 100000] [--chars 200]

Builds ``--reviews`` synthetic reviews of about ``--chars`` characters from a vocabulary of
5,000 made-up words, with ``--planted`` clusters among them: a template and 3-12 copies, each
with one or two words changed and its case or spacing altered (what a paid writer's
"personalised" copy looks like). Prints the time of ``find_duplicates``, the clusters found,
and the recall: a planted cluster counts as recovered when one found cluster holds all its
members, and member recall is the share of planted copies found with their template — of all
copies, and of those whose exact shingle Jaccard to the template reaches the threshold (two
changed words in 200 characters is about 0.8, so some copies are honestly below it).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date, timedelta

from integrity_desk.signals.duplicates import find_duplicates, jaccard, normalise, shingles
from integrity_desk.signals.records import ReviewRecord

D0 = date(2026, 1, 1)


def build(reviews: int, chars: int, planted: int,
          seed: int = 7) -> tuple[list[ReviewRecord], list[set[str]]]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzéü"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))
                  for _ in range(5000)]

    def text() -> list[str]:
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < chars:
            words.append(rng.choice(vocabulary))
        return words

    out: list[ReviewRecord] = []
    groups: list[set[str]] = []
    for g in range(planted):
        template = text()
        group: set[str] = set()
        for c in range(rng.randint(4, 13)):
            words = list(template)
            if c:
                for _ in range(rng.randint(1, 2)):
                    words[rng.randrange(len(words))] = rng.choice(vocabulary)
            body = " ".join(words) if c % 3 else "  ".join(words).capitalize()
            ref = f"p{g}-{c}"
            group.add(ref)
            out.append(ReviewRecord(ref, f"u{rng.randrange(reviews)}", f"b{rng.randrange(5000)}",
                                    D0 + timedelta(days=rng.randrange(90)), 5, body))
        groups.append(group)
    while len(out) < reviews:
        out.append(ReviewRecord(f"r{len(out)}", f"u{rng.randrange(reviews)}",
                                f"b{rng.randrange(5000)}",
                                D0 + timedelta(days=rng.randrange(90)), rng.randint(1, 5),
                                " ".join(text())))
    rng.shuffle(out)
    return out, groups


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--chars", type=int, default=200)
    parser.add_argument("--planted", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threshold", type=float, default=0.8)
    args = parser.parse_args()
    reviews, groups = build(args.reviews, args.chars, args.planted)
    times, cpu = [], []
    for _ in range(args.runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        clusters = find_duplicates(reviews, threshold=args.threshold)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    found = [{m.review for m in c.members} for c in clusters]
    owner = {ref: n for n, refs in enumerate(found) for ref in refs}
    whole = sum(1 for g in groups if len({owner.get(ref, -1 - i) for i, ref in
                                          enumerate(g)}) == 1)
    copies = sum(len(g) - 1 for g in groups)
    with_template = sum(1 for n, g in enumerate(groups) for c in g
                        if not c.endswith("-0") and c in owner
                        and owner.get(f"p{n}-0") == owner[c])
    text = {r.review: shingles(normalise(r.text)) for r in reviews if r.review.startswith("p")}
    findable = {c for n, g in enumerate(groups) for c in g if not c.endswith("-0")
                and jaccard(text[c], text[f"p{n}-0"]) >= args.threshold}
    found_findable = sum(1 for n, g in enumerate(groups) for c in g if c in findable
                         and c in owner and owner.get(f"p{n}-0") == owner[c])
    stray = sum(1 for f in found if not any(ref.startswith("p") for ref in f))
    print(f"{len(reviews):,} reviews of ~{args.chars} characters, threshold {args.threshold}, "
          f"{len(groups)} planted clusters ({copies} copies)")
    print(f"find_duplicates: best {min(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f}"
          f" s over {args.runs} runs (CPU {min(cpu):.2f} s; load {os.getloadavg()[0]:.1f})")
    print(f"clusters found: {len(clusters)} ({stray} of unplanted texts)")
    print(f"planted clusters recovered whole: {whole}/{len(groups)} "
          f"({whole / len(groups):.0%}); copies found with their template: "
          f"{with_template}/{copies} ({with_template / copies:.0%}); of the {len(findable)} "
          f"copies at Jaccard ≥ {args.threshold} to it: {found_findable} "
          f"({found_findable / max(len(findable), 1):.0%})")


if __name__ == "__main__":
    main()
