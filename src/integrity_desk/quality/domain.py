"""QA as rules: which decisions a sampling plan draws, and how a review's errors judge one.

Pure functions over plain values, so the draw and the verdict are tested against their rules
without a database (``quality.sampling`` and ``quality.review`` feed them rows).

The draw is reproducible: whether a decision is picked depends only on the plan's seed and the
decision's id (a SHA-256 of both, read as a number in [0, 1)), never on the order rows come
back in or on a random generator's state. A share plan picks, per person and ISO week, the
decisions with the lowest such numbers until the share of that week's decisions is reached
(rounded up: someone with one decision in a week at 10 % still gets one reviewed), counting the
ones already in QA from any plan; a run later in the week tops the quota up.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum


class Rule(StrEnum):
    SHARE = "share"  # a share of each person's decisions per week
    NEW_STARTERS = "new_starters"  # a (higher) share for people in their first N weeks
    CATEGORY = "category"  # every decision citing a guideline of these categories
    SEVERITY = "severity"  # every decision citing a guideline of at least this severity
    APPEALED = "appealed"  # every decision an appeal contests


class Severity(StrEnum):
    CRITICAL = "critical"  # fails the item whatever else is right (kpis.md, "Quality")
    MAJOR = "major"
    MINOR = "minor"


class Status(StrEnum):
    WAITING = "waiting"  # drawn, in the QA queue
    IN_REVIEW = "in_review"  # a reviewer took it
    REVIEWED = "reviewed"  # judged; the person may dispute within the window
    DISPUTED = "disputed"  # the person disputes; a lead settles
    SETTLED = "settled"  # a lead upheld or changed the verdict


JUDGED = (Status.REVIEWED, Status.DISPUTED, Status.SETTLED)
POINTS = {Severity.CRITICAL: 100, Severity.MAJOR: 20, Severity.MINOR: 5}
DEFAULT_PASS_MARK = 80


@dataclass(frozen=True)
class ErrorCategory:
    code: str
    label: str
    severity: Severity
    help: str = ""


# The form a desk starts with; managers publish their own versions per case kind.
DEFAULT_CATEGORIES: tuple[ErrorCategory, ...] = (
    ErrorCategory("wrong_action", "Wrong action on the content", Severity.CRITICAL,
                  "Removed what should stay, kept what should go, or acted on the wrong "
                  "subject."),
    ErrorCategory("missing_legal_step", "Missing legal step", Severity.CRITICAL,
                  "No legal ground for illegal content, no statement of reasons, a legal "
                  "hold or a required referral skipped."),
    ErrorCategory("wrong_guideline", "Wrong guideline cited", Severity.MAJOR,
                  "The action is right but the guideline cited is not the one that applies."),
    ErrorCategory("reasons_incomplete", "Statement of reasons incomplete", Severity.MAJOR,
                  "Facts or explanation missing or not specific to the content."),
    ErrorCategory("sop_step_skipped", "SOP step skipped", Severity.MAJOR,
                  "A step of the playbook was not done or not recorded."),
    ErrorCategory("evidence_not_kept", "Evidence not recorded", Severity.MINOR,
                  "What the decision rests on is not in the case."),
    ErrorCategory("communication", "Communication", Severity.MINOR,
                  "Tone, clarity or language of the letter to the user."),
)


@dataclass(frozen=True)
class Finding:
    """One error a reviewer found: its category and the severity it counts at."""

    category: str
    severity: Severity
    note: str = ""


@dataclass(frozen=True)
class Verdict:
    correct: bool
    score: int
    reason: str


def judge(findings: Sequence[Finding], pass_mark: int = DEFAULT_PASS_MARK) -> Verdict:
    """A critical error fails the item whatever else is right; otherwise the score is 100 less
    20 per major and 5 per minor error, and the decision is correct at ``pass_mark`` or
    above."""
    critical = [f.category for f in findings if f.severity == Severity.CRITICAL]
    score = max(0, 100 - sum(POINTS[f.severity] for f in findings))
    if critical:
        return Verdict(False, score, f"critical error: {', '.join(critical)}")
    if score < pass_mark:
        return Verdict(False, score, f"score {score} below the pass mark {pass_mark}")
    if findings:
        return Verdict(True, score, f"score {score}, at or above the pass mark {pass_mark}")
    return Verdict(True, score, "no error found")


def uniform(seed: str, decision_id: int) -> float:
    """The decision's draw number in [0, 1) under ``seed``: the same on every run."""
    digest = hashlib.sha256(f"{seed}:{decision_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def week_of(moment: datetime) -> date:
    """The Monday (UTC) of the ISO week ``moment`` falls in."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Plan:
    id: int
    rule: Rule
    seed: str
    share: float | None = None
    categories: frozenset[str] = frozenset()
    min_severity: int | None = None
    first_weeks: int | None = None


@dataclass(frozen=True)
class Candidate:
    """A decision the draw may pick, with what the rules read."""

    decision_id: int
    person_id: int | None
    decided_at: datetime
    category: str | None = None  # the cited guideline's category
    severity: int | None = None  # the cited guideline's severity
    person_since: datetime | None = None  # when the person started on the desk
    appealed: bool = False
    # False for an older decision that is a candidate only because an appeal contests it: a
    # share counts the weeks the draw reads in full, not such strays.
    in_window: bool = True


@dataclass(frozen=True)
class Pick:
    decision_id: int
    plan_id: int
    reason: str


@dataclass
class _Week:
    total: int = 0
    drawn: int = 0
    open: list[Candidate] = field(default_factory=list)


def _matches(plan: Plan, c: Candidate) -> str | None:
    if plan.rule == Rule.CATEGORY and c.category in plan.categories:
        return f"every decision under a {c.category} guideline is reviewed"
    if (plan.rule == Rule.SEVERITY and plan.min_severity is not None
            and c.severity is not None and c.severity >= plan.min_severity):
        return f"every decision of severity {plan.min_severity} or more is reviewed"
    if plan.rule == Rule.APPEALED and c.appealed:
        return "the decision was appealed"
    return None


def _new_starter(plan: Plan, c: Candidate) -> bool:
    if c.person_since is None or plan.first_weeks is None:
        return False
    return c.decided_at < c.person_since + timedelta(weeks=plan.first_weeks)


def draw(plans: Iterable[Plan], candidates: Sequence[Candidate],
         drawn: Iterable[Candidate]) -> list[Pick]:
    """The decisions ``plans`` add to QA among ``candidates`` (not yet in QA), given those of
    the same weeks already ``drawn``. Each decision is picked once, by the first plan (in the
    order given) that wants it; rule plans (category, severity, appealed) before share plans,
    so a share counts the decisions the rules already took."""
    ordered = sorted(plans, key=lambda p: (p.rule in (Rule.SHARE, Rule.NEW_STARTERS), p.id))
    taken: dict[int, Pick] = {}
    for plan in ordered:
        if plan.rule in (Rule.SHARE, Rule.NEW_STARTERS):
            for pick in _share(plan, candidates, drawn, taken):
                taken[pick.decision_id] = pick
            continue
        for c in candidates:
            if c.decision_id not in taken and (why := _matches(plan, c)):
                taken[c.decision_id] = Pick(c.decision_id, plan.id, why)
    return sorted(taken.values(), key=lambda p: p.decision_id)


def _share(plan: Plan, candidates: Sequence[Candidate], drawn: Iterable[Candidate],
           taken: dict[int, Pick]) -> list[Pick]:
    share = plan.share or 0.0
    def in_scope(c: Candidate) -> bool:
        return c.in_window and (plan.rule != Rule.NEW_STARTERS or _new_starter(plan, c))

    weeks: dict[tuple[int | None, date], _Week] = defaultdict(_Week)
    for c in drawn:
        if in_scope(c):
            w = weeks[(c.person_id, week_of(c.decided_at))]
            w.total += 1
            w.drawn += 1
    for c in candidates:
        if not in_scope(c):
            continue
        w = weeks[(c.person_id, week_of(c.decided_at))]
        w.total += 1
        if c.decision_id in taken:
            w.drawn += 1
        else:
            w.open.append(c)
    what = ("of a new starter's decisions" if plan.rule == Rule.NEW_STARTERS
            else "of each person's decisions")
    picks = []
    for w in weeks.values():
        quota = math.ceil(share * w.total - 1e-9)
        wanted = max(0, quota - w.drawn)
        for c in sorted(w.open, key=lambda c: (uniform(plan.seed, c.decision_id),
                                               c.decision_id))[:wanted]:
            picks.append(Pick(c.decision_id, plan.id,
                              f"{share:.0%} {what} per week: {quota} of {w.total}"))
    return picks
