"""The pure routing rules, table by table: each eligibility rule switched on and off with its
reason text, the queue chosen by weighted free capacity per waiting case, and the person chosen
in a push queue (affinity, then most free capacity)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from integrity_desk.people.shifts import ShiftState
from integrity_desk.routing.choose import (
    Candidate,
    CaseFacts,
    QueueFacts,
    choose_person,
    choose_queue,
    why_not,
)

CASE = CaseFacts(key="FLG-1", kind="flag", tier=1, language="pl")
QUEUE = QueueFacts(id=1, slug="flags-eu", team_id=10, group="Atlas")


def ana(**over: Any) -> Candidate:
    return Candidate(**({"id": 1, "name": "Ana", "role": "agent", "team_id": 10} | over))


@pytest.mark.parametrize(("person", "case", "queue", "reason"), [
    (ana(), CASE, QUEUE, None),
    (ana(role="viewer"), CASE, QUEUE, "Ana is a viewer and does not work cases"),
    (ana(), replace(CASE, legal_restricted=True), QUEUE,
     "FLG-1 is legal-restricted and Ana is not counsel or a manager"),
    (ana(role="legal"), replace(CASE, legal_restricted=True), QUEUE, None),
    (ana(role="legal"), CASE, QUEUE, "Ana is counsel and works legal cases only"),
    (ana(), replace(CASE, tier=2), QUEUE, "Ana works up to tier 1; this is a tier 2 case"),
    (ana(max_tier=2), replace(CASE, tier=2), QUEUE, None),
    (ana(kinds=("appeal",)), CASE, QUEUE, "flag is not among Ana's case kinds"),
    (ana(kinds=("appeal", "flag")), CASE, QUEUE, None),
    (ana(languages=("pt",)), CASE, QUEUE, "pl is not one of Ana's languages"),
    (ana(languages=("pt",)), replace(CASE, language=None), QUEUE, None),
    (ana(languages=("pt",), role="manager"), CASE, QUEUE, None),  # managers: any language
    (ana(), CASE, replace(QUEUE, skills=frozenset({"fraud"})),
     "the queue flags-eu requires the skill fraud, which Ana does not have"),
    (ana(skills=frozenset({"fraud"})), CASE, replace(QUEUE, skills=frozenset({"fraud"})), None),
    (ana(), CASE, replace(QUEUE, certifications=frozenset({"dsa-legal"})),
     "the queue flags-eu requires the certification dsa-legal, which Ana does not hold"),
    (ana(certifications=frozenset({"dsa-legal"})), CASE,
     replace(QUEUE, certifications=frozenset({"dsa-legal"})), None),
    (ana(availability="away"), CASE, QUEUE, "Ana is away"),
    (ana(availability="training"), CASE, QUEUE, "Ana is in training"),
    (ana(shift=ShiftState(False, "off shift (next shift Mon 09:00)")), CASE, QUEUE,
     "Ana is off shift (next shift Mon 09:00)"),
    (ana(capacity=3, in_hand=3), CASE, QUEUE, "Ana is at capacity: 3 of 3 cases in hand"),
    (ana(capacity=3, in_hand=2), CASE, QUEUE, None),
    (ana(seen_today=20, harm_cap=20), replace(CASE, harmful=True), QUEUE,
     "Ana has seen today's cap of harmful items (20 of 20)"),
    (ana(seen_today=20, harm_cap=20), CASE, QUEUE, None),  # nothing harmful in this case
])
def test_each_rule_with_its_reason(person: Candidate, case: CaseFacts, queue: QueueFacts,
                                   reason: str | None) -> None:
    assert why_not(person, case, queue) == reason


def test_the_reason_names_the_language_in_words() -> None:
    reason = why_not(ana(languages=("pt",)), CASE, QUEUE,
                     language_name=lambda code: {"pl": "Polish"}[code])
    assert reason == "Polish is not one of Ana's languages"


ATLAS = QueueFacts(id=1, slug="flags-eu", team_id=10, group="Atlas", position=5)
NORTHWIND = QueueFacts(id=2, slug="flags", team_id=20, group="Northwind", position=10)


def _team(team_id: int, n: int, *, capacity: int = 5, in_hand: int = 0, start: int = 0,
          **over: Any) -> list[Candidate]:
    return [Candidate(id=start + i, name=f"P{start + i}", role="agent", team_id=team_id,
                      capacity=capacity, in_hand=in_hand, **over) for i in range(n)]


def test_the_queue_with_more_free_capacity_per_waiting_case_wins_and_says_so() -> None:
    case = replace(CASE, language=None)
    people = {10: _team(10, 3) + _team(10, 2, availability="away", start=10),
              20: _team(20, 2, in_hand=4, start=20)}
    choice = choose_queue(case, [ATLAS, NORTHWIND], people, {})
    assert choice.queue is ATLAS
    assert choice.reasons == ("to flags-eu (Atlas): 3 of 5 people ready, 88% of free "
                              "capacity; Northwind 12%")
    # With 8 cases already waiting at Atlas, Northwind's 2 free places per waiting case win.
    assert choose_queue(case, [ATLAS, NORTHWIND], people, {1: 8}).queue is NORTHWIND


def test_work_spreads_in_proportion_to_free_capacity() -> None:
    case = replace(CASE, language=None)
    people = {10: _team(10, 3), 20: _team(20, 1, start=20)}  # 15 free places against 5
    waiting: dict[int, int] = {}
    for _ in range(400):
        queue = choose_queue(case, [ATLAS, NORTHWIND], people, waiting).queue
        assert queue is not None
        waiting[queue.id] = waiting.get(queue.id, 0) + 1
    assert 295 <= waiting[1] <= 305 and 95 <= waiting[2] <= 105


def test_quality_weighs_by_the_queues_weight() -> None:
    case = replace(CASE, language=None)
    people = {10: _team(10, 1), 20: _team(20, 1, start=20)}
    good, poor = replace(ATLAS, quality=0.99), replace(NORTHWIND, quality=0.60)
    assert choose_queue(case, [poor, good], people, {}).queue is good
    unweighted = [replace(good, quality_weight=0.0), replace(poor, quality_weight=0.0)]
    assert choose_queue(case, unweighted, people, {}).queue.slug == "flags-eu"  # position


def test_nobody_ready_anywhere_keeps_position_order_and_says_why() -> None:
    people = {10: _team(10, 2, in_hand=5), 20: _team(20, 1, availability="off", start=20)}
    choice = choose_queue(replace(CASE, language=None), [ATLAS, NORTHWIND], people, {})
    assert choice.queue is ATLAS
    assert choice.reasons == ("to flags-eu (Atlas), the first queue that takes this case: "
                              "nobody in any of them is ready now (Atlas, Northwind)")


def test_a_team_at_capacity_or_without_the_language_is_named() -> None:
    people = {10: _team(10, 2, languages=("pl",)),
              20: _team(20, 2, in_hand=5, start=20, languages=("pl",))}
    choice = choose_queue(CASE, [ATLAS, NORTHWIND], people, {})
    assert choice.reasons.endswith("; Northwind at capacity")
    people[20] = _team(20, 2, start=20, languages=("en",))
    assert choose_queue(CASE, [ATLAS, NORTHWIND], people, {}).reasons.endswith(
        "; Northwind nobody ready")
    assert choose_queue(CASE, [], people, {}).queue is None


def test_a_push_queue_gives_the_case_to_the_most_free_eligible_person() -> None:
    members = [Candidate(1, "Ana", "agent", 10, capacity=5, in_hand=3, languages=("pl",)),
               Candidate(2, "Ben", "agent", 10, capacity=4, in_hand=1, languages=("pl",)),
               Candidate(3, "Caro", "agent", 10, capacity=5, in_hand=0, languages=("pt",)),
               Candidate(4, "Dan", "agent", 10, availability="away")]
    choice = choose_person(CASE, QUEUE, members)
    assert choice.person is not None and choice.person.name == "Ben"
    assert choice.reasons == ("to Ben: 1 of 4 cases in hand, the most free of 2 ready; "
                              "not to pl is not one of Caro's languages; not to Dan is away")


def test_affinity_sends_the_case_to_who_holds_the_same_business() -> None:
    case = replace(CASE, keys=frozenset({"business:9"}))
    members = [Candidate(1, "Ana", "agent", 10, capacity=5, in_hand=4,
                         holds=frozenset({"business:9"})),
               Candidate(2, "Ben", "agent", 10, capacity=5, in_hand=0)]
    choice = choose_person(case, QUEUE, members)
    assert choice.person is not None and choice.person.name == "Ana"
    assert choice.reasons == "to Ana: already holds open work about the same business"
    assert choose_person(case, replace(QUEUE, affinity=False), members).person.name == "Ben"
    members[0].in_hand = 5  # at capacity: affinity only among the eligible
    assert choose_person(case, QUEUE, members).person.name == "Ben"


def test_nobody_eligible_leaves_the_case_waiting() -> None:
    choice = choose_person(CASE, QUEUE, [ana(availability="off")])
    assert choice.person is None and choice.reasons == \
        "waits in the queue: nobody is ready (not to Ana is off)"


def test_the_worked_example_of_docs_routing_md() -> None:
    """docs/routing.md, "A worked example", word for word."""
    case = replace(CASE, language="pl")
    atlas = replace(ATLAS, slug="flags-atlas", position=1, push=True)
    northwind = replace(NORTHWIND, slug="flags-northwind", position=2)
    ana_ = Candidate(1, "Ana", "agent", 10, capacity=5, availability="away")
    atlas_people = [ana_] + [Candidate(i, name, "agent", 10, capacity=5)
                             for i, name in ((2, "Ben"), (3, "Caro"), (4, "Dan"))]
    northwind_people = [Candidate(i, f"N{i}", "agent", 20, capacity=5, in_hand=4,
                                  languages=("pl", "en")) for i in (5, 6)]
    queue = choose_queue(case, [atlas, northwind], {10: atlas_people, 20: northwind_people}, {},
                         language_name=lambda code: "Polish")
    person = choose_person(case, queue.queue, atlas_people)
    assert f"{queue.reasons}; {person.reasons}" == (
        "to flags-atlas (Atlas): 3 of 4 people ready, 88% of free capacity; Northwind 12%; "
        "to Ben: 0 of 5 cases in hand, the most free of 3 ready; not to Ana is away")


def test_team_affinity_outranks_free_capacity_when_the_team_is_eligible() -> None:
    case = replace(CASE, language=None, keys=frozenset({"business:9"}))
    holder = Candidate(20, "Nora", "agent", 20, capacity=5, in_hand=4,
                       holds=frozenset({"business:9"}))
    people = {10: _team(10, 3), 20: [holder]}
    choice = choose_queue(case, [ATLAS, NORTHWIND], people, {})
    assert choice.queue is NORTHWIND
    assert choice.reasons == ("to flags (Northwind): Northwind already holds open work about "
                              "the same business")
    # Without affinity on that queue, or with the holder unable to take more, capacity decides.
    assert choose_queue(case, [ATLAS, replace(NORTHWIND, affinity=False)], people,
                        {}).queue is ATLAS
    holder.in_hand = 5
    assert choose_queue(case, [ATLAS, NORTHWIND], people, {}).queue is ATLAS
