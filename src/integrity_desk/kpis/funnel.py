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
under its own source and its case's category. The rollup keeps each day of receipt's counts
(kpis.funnel_counts), recomputing a day whenever one of its cases is decided, contested or its
appeal decided; a period here is one statement summing its days.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.cases.domain import CATEGORY_WORDS
from integrity_desk.kpis.domain import Dimension, Figure, Period, ratio
from integrity_desk.kpis.funnel_counts import UNCATEGORISED
from integrity_desk.kpis.models import KpiDay


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
TOTAL = "all"


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


_COLUMNS: dict[Step, str] = {step: f"funnel_{step.value}" for step in Step}
_PARTLY = "funnel_partly_overturned"


def funnel(session: Session, *, period: Period, by: FunnelBy | str, now: datetime) -> Funnel:
    """The funnel of the flags and notices received in ``period``, as the daily rollup last
    followed them (kpis.funnel_counts; the caller brings the rollup up to date): one row per
    source or category, and the total. At most one row per day per key is read."""
    by = FunnelBy(by)
    dimension = Dimension.SOURCE if by == FunnelBy.SOURCE else Dimension.CATEGORY
    columns = [func.coalesce(func.sum(getattr(KpiDay, _COLUMNS[s])), 0) for s in STEPS]
    partly = func.coalesce(func.sum(getattr(KpiDay, _PARTLY)), 0)
    found = session.execute(
        select(KpiDay.dimension, KpiDay.key, *columns, partly)
        .where(KpiDay.dimension.in_([dimension.value, Dimension.DESK.value]),
               KpiDay.day >= period.start, KpiDay.day < period.end)
        .group_by(KpiDay.dimension, KpiDay.key)).all()
    rows, total = [], None
    for dim, key, *values in found:
        counts = Counter(dict(zip(STEPS, values[:-1], strict=True)))
        if dim == Dimension.DESK.value:
            total = _row(by, TOTAL, "All sources" if by == FunnelBy.SOURCE
                         else "All categories", counts, values[-1])
        elif counts[Step.RECEIVED]:
            rows.append(_row(by, key, label_of(by, key), counts, values[-1]))
    rows.sort(key=lambda row: (-row.count(Step.RECEIVED), row.label.lower()))
    if total is None:
        total = _row(by, TOTAL, "All sources" if by == FunnelBy.SOURCE else "All categories",
                     Counter(), 0)
    return Funnel(period, by, rows, total)


__all__ = ["STEPS", "STEP_WORDS", "Funnel", "FunnelBy", "FunnelRow", "Step", "funnel"]
