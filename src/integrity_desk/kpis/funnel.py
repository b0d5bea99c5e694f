"""The flagging funnel: what became of the flags and notices of a period (docs/dashboard.md).

A cohort, so that every conversion is a share of the step before and stays ≤ 100 %: the
flags and notices *received in the period*, followed to today.

* **received** — every flag and notice received in ``[start, end)``: the cases opened in the
  period (their first request) and the further requests that joined an open case in the period
  (``case_requests.received_at``), by the requester type of each. Appeals are not flags (they
  are a later step), and the copy of a merged case's request that ``cases.merge`` files on the
  case that remains is not a second receipt (the merged case was counted when it opened).
* **opened** — the cases opened in the period from them (every kind but appeals): a request
  that joined a case opened no case, so opened ÷ received is the share that was new.
* **decided** — of those cases, the ones with a decision in force or since reversed (``kind``
  decision, applied), whenever it was taken up to now.
* **restricted** — of the decided, the ones whose decision applied a restriction (an action
  ``decisions.domain.is_restriction`` calls one: removal, label, suspension …).
* **appealed** — of the restricted, the ones with an appeal case contesting a restricting
  decision (an appeal against "no action" is a notifier's, outside this funnel).
* **overturned** — of the appealed, the ones whose appeal was decided "overturned" (partly
  overturned ones are counted aside, as the overturn rate of kpis.md does).

A case counts once per step whatever the number of its decisions, actions or appeals, under
its own source (the requester type of its first request) and category; a joined request counts
under its own source and its case's category. Reads: the period's cases (ix_cases_created),
the period's joined requests, their decisions (ix_decisions_case) and actions
(ix_decision_actions_decision) as EXISTS counted in SQL per key, the appeal cases opened since
the period began (ix_cases_created) and the outcomes of those appeals (ix_decisions_appeal_of):
four statements, whatever the number of cases, and only appealed cases come back as rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from integrity_desk.cases.domain import CATEGORY_WORDS, CaseKind
from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.decisions.domain import RULES, is_restriction
from integrity_desk.decisions.models import Decision, DecisionAction
from integrity_desk.kpis.domain import Figure, Period, ratio


class FunnelBy(StrEnum):
    SOURCE = "source"
    CATEGORY = "category"


class Step(StrEnum):
    RECEIVED = "received"
    OPENED = "opened"
    DECIDED = "decided"
    RESTRICTED = "restricted"
    APPEALED = "appealed"
    OVERTURNED = "overturned"


STEPS = tuple(Step)
STEP_WORDS: dict[Step, str] = {
    Step.RECEIVED: "Flags and notices received",
    Step.OPENED: "Cases opened",
    Step.DECIDED: "Decided",
    Step.RESTRICTED: "With a restriction",
    Step.APPEALED: "Appealed",
    Step.OVERTURNED: "Overturned",
}
SOURCE_WORDS: dict[str, str] = {
    "consumer": "Consumer", "business": "Business", "automated_detector": "Automated detector",
    "csm": "CSM", "executive": "Executive", "law_firm": "Law firm", "authority": "Authority",
    "court": "Court", "trusted_flagger": "Trusted flagger", "internal": "Internal",
    "reviewer": "Reviewer", "notifier": "Notifier",
}
# Why a conversion has no value: nothing reached the step before.
NOTHING: dict[Step, str] = {
    Step.RECEIVED: "no flag or notice was received",
    Step.OPENED: "no case was opened",
    Step.DECIDED: "no case was decided",
    Step.RESTRICTED: "no case ended in a restriction",
    Step.APPEALED: "no restriction was appealed",
}
UNCATEGORISED = "uncategorised"
TOTAL = "all"
APPLIED = ("applied", "reversed")
RESTRICTIONS = sorted(a.value for a in RULES if is_restriction(a))


@dataclass(frozen=True)
class FunnelStep:
    step: Step
    count: int
    # Share of the step before ("no data" when it is 0); None for the first step.
    conversion: Figure | None


@dataclass(frozen=True)
class FunnelRow:
    key: str
    label: str
    steps: list[FunnelStep]
    partly_overturned: int

    def count(self, step: Step) -> int:
        return self.steps[STEPS.index(step)].count

    def conversion(self, step: Step) -> Figure | None:
        return self.steps[STEPS.index(step)].conversion


@dataclass(frozen=True)
class Funnel:
    period: Period
    by: FunnelBy
    rows: list[FunnelRow]
    total: FunnelRow

    def row(self, key: str) -> FunnelRow | None:
        return next((r for r in self.rows if r.key == key), None)


def label_of(by: FunnelBy, key: str) -> str:
    if by == FunnelBy.SOURCE:
        return SOURCE_WORDS.get(key, key.replace("_", " "))
    if key == UNCATEGORISED:
        return "No category"
    return CATEGORY_WORDS.get(key, key.replace("_", " "))


def _row(by: FunnelBy, key: str, label: str, counts: Counter[Step], partly: int) -> FunnelRow:
    steps = []
    for i, step in enumerate(STEPS):
        conversion = None
        if i:
            before = STEPS[i - 1]
            conversion = ratio(counts[step], counts[before], nothing=NOTHING[before])
        steps.append(FunnelStep(step, counts[step], conversion))
    return FunnelRow(key, label, steps, partly)


def funnel(session: Session, *, period: Period, by: FunnelBy | str, now: datetime) -> Funnel:
    """The funnel of the flags and notices received in ``period``, followed to ``now``, one
    row per source or category (and the total). The steps are counted in SQL, grouped by the
    row's key; only the appealed cases (a few in a hundred) come back as rows."""
    by = FunnelBy(by)
    start, end = period.starts_at, min(period.ends_at, now)
    cohort = (Case.created_at >= start, Case.created_at < end,
              Case.kind != CaseKind.APPEAL.value)
    key = (Case.requester_type if by == FunnelBy.SOURCE
           else func.coalesce(Case.category, UNCATEGORISED))
    counts: dict[str, Counter[Step]] = defaultdict(Counter)

    d, a = Decision, DecisionAction
    in_force = (d.kind == "decision", d.status.in_(APPLIED), d.decided_at <= now)
    restricting = exists().where(a.decision_id == d.id, a.action.in_(RESTRICTIONS),
                                 a.applied_at.is_not(None))
    decided = exists().where(d.case_id == Case.id, *in_force)
    restricted = exists().where(d.case_id == Case.id, *in_force, restricting)
    for k, opened, n_decided, n_restricted in session.execute(
            select(key, func.count(), _ones(decided), _ones(restricted))
            .where(*cohort).group_by(key)):
        k = k or UNCATEGORISED
        counts[k].update({Step.RECEIVED: opened, Step.OPENED: opened,
                          Step.DECIDED: n_decided, Step.RESTRICTED: n_restricted})

    r = CaseRequest
    joined_key = r.requester_type if by == FunnelBy.SOURCE else Case.category
    for k, n in session.execute(
            select(joined_key, func.count()).select_from(r).join(Case, Case.id == r.case_id)
            .where(r.received_at >= start, r.received_at < end,
                   Case.kind != CaseKind.APPEAL.value,
                   r.payload["merged_from"].as_string().is_(None))
            .group_by(joined_key)):
        counts[k or UNCATEGORISED][Step.RECEIVED] += n

    # The restricting decisions of the cohort's cases that an appeal case contests: the
    # appeal cases opened since the period began (a range of ix_cases_created), a few rows.
    contested = Case.details["contested_decision_id"].as_integer()
    targets = select(contested).where(Case.created_at >= start, Case.created_at <= now,
                                      Case.kind == CaseKind.APPEAL.value).scalar_subquery()
    key_of: dict[int, str] = {}  # appealed case → its key
    case_of: dict[int, int] = {}  # contested decision → its case
    for decision_id, case_id, k in session.execute(
            select(d.id, Case.id, key).join(Case, Case.id == d.case_id)
            .where(d.id.in_(targets), *in_force, restricting, *cohort)):
        key_of[case_id] = k or UNCATEGORISED
        case_of[decision_id] = case_id
    overturned: set[int] = set()
    partly: set[int] = set()
    if case_of:
        for decision_id, outcome in session.execute(
                select(d.appeal_of_id, d.outcome).where(
                    d.appeal_of_id.in_(list(case_of)), d.kind == "appeal_outcome",
                    d.decided_at >= start, d.decided_at <= now)):
            if outcome == "overturned":
                overturned.add(case_of[decision_id])
            elif outcome == "partly_overturned":
                partly.add(case_of[decision_id])
    partly -= overturned
    for case_id, k in key_of.items():
        counts[k][Step.APPEALED] += 1
        if case_id in overturned:
            counts[k][Step.OVERTURNED] += 1
    partly_by: Counter[str] = Counter(key_of[c] for c in partly)
    rows = [_row(by, k, label_of(by, k), c, partly_by[k]) for k, c in counts.items()]
    rows.sort(key=lambda row: (-row.count(Step.RECEIVED), row.label.lower()))
    total: Counter[Step] = Counter()
    for c in counts.values():
        total.update(c)
    return Funnel(period, by, rows,
                  _row(by, TOTAL, "All sources" if by == FunnelBy.SOURCE else "All categories",
                       total, sum(partly_by.values())))


def _ones(clause: object) -> object:
    return func.coalesce(func.sum(case((clause, 1), else_=0)), 0)


__all__ = ["STEPS", "STEP_WORDS", "Funnel", "FunnelBy", "FunnelRow", "Step", "funnel"]
