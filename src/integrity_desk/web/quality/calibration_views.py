"""Calibration exercises as the console shows them, shaped from the services' objects and the
stored results (no queries here). A figure is printed with its reading beside it — alpha
0.743 means little to a team lead; "tentative" says what to do with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrity_desk.decisions.domain import ActionKind
from integrity_desk.kpis.words import percent
from integrity_desk.quality.calibration_models import CalibrationExercise

ACTIONS = [(a.value, a.value.replace("_", " ").capitalize()) for a in ActionKind]
READINGS = {
    "reliable": "reliable: 0.8 or above, the customary bar for labels one can build on",
    "tentative": "tentative: between 0.667 and 0.8, good for tentative conclusions only",
    "unreliable": "unreliable: below 0.667, the group does not decide these alike",
    "no data": "no data",
}
STATUS = {"draft": "Draft", "open": "Open", "closed": "Closed"}


def figure(value: float | None) -> str:
    return "no data" if value is None else f"{value:.3f}"


def share(value: float | None) -> str:
    return "no data" if value is None else percent(value)


@dataclass(frozen=True)
class Measure:
    """A stored measure for a page: the number, its reading, or why there is none."""

    value: str
    words: str
    reading: str
    why: str | None
    items: int


def measure(stored: dict[str, Any]) -> Measure:
    words = stored.get("words") or "no data"
    return Measure(figure(stored.get("value")), words, READINGS.get(words, words),
                   stored.get("no_data"), int(stored.get("items") or 0))


@dataclass(frozen=True)
class ExerciseRow:
    id: int
    title: str
    status: str
    certification: str | None
    bars: str
    when: str


def exercise_row(e: CalibrationExercise) -> ExerciseRow:
    when = (f"closed {e.closed_at:%d %b %Y}" if e.closed_at else
            f"closes {e.closes_at:%d %b %Y %H:%M} UTC" if e.closes_at else
            f"opened {e.opened_at:%d %b %Y}" if e.opened_at else
            f"created {e.created_at:%d %b %Y}")
    return ExerciseRow(e.id, e.title, STATUS.get(e.status, e.status), e.certification,
                       f"alpha ≥ {e.min_alpha:.2f}, agreement ≥ {share(e.min_agreement)}", when)


@dataclass(frozen=True)
class PersonLine:
    name: str
    answered: int
    agreement: str
    items: int
    passed: bool
    reason: str
    certified: bool


@dataclass(frozen=True)
class ResultsView:
    alpha: Measure
    alpha_action: Measure
    alpha_guideline: Measure
    per_guideline: list[tuple[str, Measure]]
    disagreed: list[dict[str, Any]]
    people: list[PersonLine]
    pairs: list[tuple[str, str, Measure]]
    raters: int
    invited: int
    items: int
    passed: int


def results_view(results: dict[str, Any]) -> ResultsView:
    people = [PersonLine(p["name"], p["answered"], share(p["agreement"]["value"]),
                         p["agreement"]["items"], p["passed"], p["reason"],
                         p.get("certification_id") is not None)
              for p in results["people"]]
    disagreed = [{**d, "disagreement": share(d["disagreement"]),
                  "labels": ", ".join(f"{label} ({n})" for label, n in d["labels"].items())}
                 for d in results["disagreed"]]
    return ResultsView(
        measure(results["alpha"]), measure(results["alpha_action"]),
        measure(results["alpha_guideline"]),
        [(g["guideline"], measure(g["alpha"])) for g in results["per_guideline"]],
        disagreed, people,
        [(p["first_name"], p["second_name"], measure(p["kappa"])) for p in results["pairs"]],
        results["raters"], results["invited"], results["items"],
        sum(1 for p in people if p.passed))


def form_values(e: CalibrationExercise | None = None) -> dict[str, str]:
    """The exercise form's fields as the exercise stands (or a new one's defaults)."""
    if e is None:
        return {"min_alpha": "0.8", "min_agreement": "0.8"}
    return {"title": e.title, "instructions": e.instructions,
            "min_alpha": f"{e.min_alpha:g}", "min_agreement": f"{e.min_agreement:g}",
            "certification": e.certification or "", "valid_days": str(e.valid_days or ""),
            "guidelines": ", ".join(e.guidelines or []),
            "closes_at": f"{e.closes_at:%Y-%m-%dT%H:%M}" if e.closes_at else ""}
