"""Priority as a transparent score: each rule adds points for one fact and says why.

Rules are data (the ``triage_rules`` table); this module only knows how each *factor* reads the
facts. A case's priority follows from its total score through the ``priority_thresholds`` rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from integrity_desk.cases.domain import Priority


@dataclass(frozen=True)
class TriageFacts:
    kind: str
    now: datetime
    requester_type: str | None = None
    customer_tier: str | None = None
    revenue_at_stake: int | None = None
    legal_deadline: datetime | None = None
    category: str | None = None
    trusted_flagger: bool = False
    business_review_count: int | None = None
    earlier_cases_on_subject: int = 0
    # The strongest fraud signal behind a case the signals opened, in [0, 1] (signals.service).
    signal_score: float | None = None


@dataclass(frozen=True)
class Rule:
    name: str
    factor: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Reason:
    rule: str
    factor: str
    points: int
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "factor": self.factor, "points": self.points, "why": self.why}


@dataclass(frozen=True)
class TriageResult:
    score: int
    priority: Priority
    reasons: list[Reason]


DEFAULT_THRESHOLDS = {"P0": 90, "P1": 65, "P2": 40, "P3": 20}


def _lookup(params: Mapping[str, Any], value: str | None, label: str) -> tuple[int, str]:
    points = int(params.get("points", {}).get(value or "", 0))
    return points, f"{label} {value}"


def _band(bands: Iterable[Iterable[float]], value: float, *, at_least: bool) -> int:
    """First band whose threshold the value reaches (≥ when at_least, else ≤)."""
    for threshold, points in bands:
        if (value >= threshold) if at_least else (value <= threshold):
            return int(points)
    return 0


def _kind(p: Mapping[str, Any], f: TriageFacts) -> tuple[int, str]:
    return _lookup(p, f.kind, "case kind")


def _requester_type(p: Mapping[str, Any], f: TriageFacts) -> tuple[int, str]:
    return _lookup(p, f.requester_type, "requester is a")


def _customer_tier(p: Mapping[str, Any], f: TriageFacts) -> tuple[int, str]:
    return _lookup(p, f.customer_tier, "customer tier")


def _revenue(p: Mapping[str, Any], f: TriageFacts) -> tuple[int, str]:
    if not f.revenue_at_stake:
        return 0, ""
    return (_band(p.get("bands", []), f.revenue_at_stake, at_least=True),
            f"€{f.revenue_at_stake:,} a year at stake")


def _deadline(p: Mapping[str, Any], f: TriageFacts) -> tuple[int, str]:
    if f.legal_deadline is None:
        return 0, ""
    hours = (f.legal_deadline - f.now).total_seconds() / 3600
    if hours <= 0:
        return int(p.get("overdue", 0)), "legal deadline has passed"
    return (_band(p.get("bands_hours", []), hours, at_least=False),
            f"legal deadline in {hours:.0f} h")


def _harm(p: Mapping[str, Any], f: TriageFacts) -> tuple[int, str]:
    return _lookup(p, f.category, "harm of category")


def _trusted_flagger(p: Mapping[str, Any], f: TriageFacts) -> tuple[int, str]:
    return (int(p.get("points", 0)), "sent by a trusted flagger (DSA Art. 22)") if (
        f.trusted_flagger) else (0, "")


def _reach(p: Mapping[str, Any], f: TriageFacts) -> tuple[int, str]:
    if not f.business_review_count:
        return 0, ""
    return (_band(p.get("bands", []), f.business_review_count, at_least=True),
            f"business has {f.business_review_count:,} reviews")


def _repeat(p: Mapping[str, Any], f: TriageFacts) -> tuple[int, str]:
    if not f.earlier_cases_on_subject:
        return 0, ""
    points = min(int(p.get("per_case", 0)) * f.earlier_cases_on_subject, int(p.get("max", 0)))
    return points, f"{f.earlier_cases_on_subject} earlier case(s) on the same subject"


def _fraud_signal(p: Mapping[str, Any], f: TriageFacts) -> tuple[int, str]:
    if not f.signal_score:
        return 0, ""
    return (_band(p.get("bands", []), f.signal_score, at_least=True),
            f"fraud signal of strength {f.signal_score:.2f}")


FACTORS: dict[str, Callable[[Mapping[str, Any], TriageFacts], tuple[int, str]]] = {
    "kind": _kind,
    "requester_type": _requester_type,
    "customer_tier": _customer_tier,
    "revenue_at_stake": _revenue,
    "legal_deadline": _deadline,
    "harm_severity": _harm,
    "trusted_flagger": _trusted_flagger,
    "business_reach": _reach,
    "repeat_subject": _repeat,
    "fraud_signal": _fraud_signal,
}
THRESHOLDS_FACTOR = "priority_thresholds"
# Not a score: the daily cap of harmful items a person is offered (docs/wellbeing.md), kept
# with the rules because it is the same kind of thing, a manager's tuning of who gets what.
HARM_CAP_FACTOR = "harm_exposure_cap"
DEFAULT_HARM_CAP = 20
_SETTINGS = frozenset({THRESHOLDS_FACTOR, HARM_CAP_FACTOR})


# Factors whose `points` map a value (kind, type, tier, category) to points.
_LOOKUP_FACTORS = frozenset({"kind", "requester_type", "customer_tier", "harm_severity"})
# Band lists and the order scoring reads them in: first threshold reached (highest first), or
# first threshold within (lowest first).
_BAND_ORDER = {"bands": True, "bands_hours": False}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_rule(factor: str, params: Mapping[str, Any]) -> None:
    """Refuse any rule scoring could not read, so a bad edit fails at the API, not at intake."""
    if factor not in _SETTINGS and factor not in FACTORS:
        known = ", ".join(sorted([*FACTORS, *_SETTINGS]))
        raise ValueError(f"unknown factor {factor!r}; known: {known}")
    if not isinstance(params, Mapping):
        raise ValueError("params must be an object")
    if factor == THRESHOLDS_FACTOR:
        values = [params.get(p) for p in ("P0", "P1", "P2", "P3")]
        if any(not _number(v) for v in values) or values != sorted(values, reverse=True):
            raise ValueError("priority_thresholds needs numbers P0 ≥ P1 ≥ P2 ≥ P3")
    if factor == HARM_CAP_FACTOR:
        items = params.get("items")
        if not isinstance(items, int) or isinstance(items, bool) or not 0 <= items <= 10_000:
            raise ValueError("harm_exposure_cap needs items: a whole number from 0 to 10000")
    for key, descending in _BAND_ORDER.items():
        if key in params:
            bands = params[key]
            if not isinstance(bands, list) or not all(
                isinstance(b, list | tuple) and len(b) == 2 and _number(b[0]) and _number(b[1])
                for b in bands
            ):
                raise ValueError(f"{key} must be a list of [threshold, points] pairs")
            thresholds = [b[0] for b in bands]
            if thresholds != sorted(thresholds, reverse=descending):
                order = "highest" if descending else "lowest"
                raise ValueError(f"{key} must list thresholds {order} first")
    if "points" in params:
        points = params["points"]
        if factor in _LOOKUP_FACTORS:
            if not isinstance(points, Mapping) or not all(_number(v) for v in points.values()):
                raise ValueError("points must be a mapping of value → points")
        elif not _number(points):
            raise ValueError("points must be a number")
    for key in ("overdue", "per_case", "max"):
        if key in params and not _number(params[key]):
            raise ValueError(f"{key} must be a number")


def harm_cap(rules: Iterable[Rule]) -> int:
    """The daily cap of harmful items: the last active cap rule's, else the default."""
    cap = DEFAULT_HARM_CAP
    for rule in rules:
        if rule.factor == HARM_CAP_FACTOR:
            cap = int(rule.params["items"])
    return cap


def score(rules: Iterable[Rule], facts: TriageFacts) -> TriageResult:
    thresholds = DEFAULT_THRESHOLDS
    reasons: list[Reason] = []
    for rule in rules:
        if rule.factor == THRESHOLDS_FACTOR:
            thresholds = {k: rule.params[k] for k in DEFAULT_THRESHOLDS}
            continue
        if rule.factor == HARM_CAP_FACTOR:
            continue
        points, why = FACTORS[rule.factor](rule.params, facts)
        if points:
            reasons.append(Reason(rule.name, rule.factor, points, why))
    total = sum(r.points for r in reasons)
    priority = Priority.P4
    for name in ("P0", "P1", "P2", "P3"):
        if total >= thresholds[name]:
            priority = Priority(name)
            break
    return TriageResult(total, priority, reasons)
