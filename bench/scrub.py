"""Scrubbing benchmark: what personal-data scrubbing costs a statement of reasons.

    .venv/bin/python -m bench.scrub [--people 1000] [--statements 1000]

Two figures. *Cold*: one free text of ~1,000 characters (names, e-mail, phone, IBAN, IP,
address) scrubbed of ``--people`` names, each text distinct (no cache helps): the cost of a
decision's first statement per text. *Decision*: ``build_statement`` for ``--statements``
statements of one investigation decision, all scrubbed of the same people, as
``decisions.statements`` builds them (facts, grounds and explanation shared): the cost per
statement that deciding pays against its 2 s budget for 1,000 statements.
"""

from __future__ import annotations

import argparse
import time

from integrity_desk.dsa.scrub import scrub
from integrity_desk.dsa.statement import build_statement
from tests.dsa.support import facts

TEXT = ("Greta Lindqvist (greta@shop.example.com, +49 30 1234567) reported the review on "
        "2026-11-02; Henri Dubois confirmed it. The author Kasimir Nowak "
        "(https://reviews.example.com/users/u1, IP 203.0.113.45) lives at Hauptstraße 12, "
        "10115 Berlin, was paid €25.00 to DE89 3704 0044 0532 0130 00 for order 10023345 and "
        "can be reached on 0171 2345678. ") * 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--statements", type=int, default=1000)
    args = parser.parse_args()
    people = (*(f"Reviewer{n} Family{n}" for n in range(args.people)),
              "Greta Lindqvist", "Henri Dubois", "Kasimir Nowak")

    runs = 300
    started = time.perf_counter()
    for n in range(runs):
        scrub(f"{TEXT} r{n}", names=people)
    cold = (time.perf_counter() - started) / runs

    statement = facts(people=people, facts=TEXT, explanation=TEXT[:400])
    started = time.perf_counter()
    for n in range(args.statements):
        build_statement(statement, puid=f"idesk-1-review{n}-1")
    total = time.perf_counter() - started
    print(f"cold scrub, {len(TEXT)}-char text, {len(people)} people: {cold * 1e6:.0f} µs")
    print(f"decision of {args.statements} statements, {len(people)} people: "
          f"{total * 1e3:.0f} ms in all, {total / args.statements * 1e6:.0f} µs per statement "
          "(build_statement, scrubbing included)")


if __name__ == "__main__":
    main()
