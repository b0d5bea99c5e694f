"""How well the fraud signals find Yelp's filtered reviews and the accounts that wrote them.

The data is ``shared/data/yelpchi`` (Rayana & Akoglu, KDD 2015; its README): 40,536 reviews
of 126 Chicago hotels and restaurants, each labelled by Yelp's filter (``-1`` spam). A review
is positive when it is labelled -1; a reviewer is a *spammer* when any of its reviews (in the
businesses measured) is labelled -1. No creation days and no removals are in the data, so the
account-age and removed parts are 0 throughout; texts exist for 167 reviews only.

The businesses are split by a hash of their id: the *tune* half chooses the combination
weights (coordinate ascent on average precision over non-negative weights) and each ranking's
cut (the score with the best F1); the *report* half, which nothing was fitted on, gives every
figure printed. Each half runs the signals on its own reviews, as the desk would on its data.

    .venv/bin/python bench/yelpchi_signals.py [--data ../shared/data/yelpchi] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from integrity_desk.signals.bursts import DayCounts, find_bursts
from integrity_desk.signals.records import ReviewRecord
from integrity_desk.signals.risk import (
    PARTS,
    REVIEW_WEIGHTS,
    WEIGHTS,
    review_features,
    score_reviewers,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "yelpchi"
UNMEASURABLE = ("account_age", "removed")  # YelpChi has no creation days and no removals
GRID = np.linspace(0, 1, 21)
# Not rows of their own: the label, a tuning input, and the parts that are a baseline.
SKIP = ("label", "tuned reviewer", "extremity", "extreme")


@dataclass(frozen=True)
class Row:
    level: str  # review | reviewer
    kind: str  # baseline | part | combined
    name: str
    precision: float
    recall: float
    ap: float
    cut: float  # flagged when score >= cut (chosen on the tune half)
    ap_tune: float  # the AP on the tune half, where weights and cut were chosen


@dataclass
class Report:
    businesses: dict[str, int]  # per half
    reviews: dict[str, int]
    reviewers: dict[str, int]
    spam_share: dict[str, float]  # report half, per level (the AP of a random ranking)
    signals: dict[str, str]
    weights: dict[str, dict[str, float]]  # tuned on the tune half
    rows: list[Row] = field(default_factory=list)
    seconds: float = 0.0


def load(data: Path, limit: int | None = None) -> tuple[list[ReviewRecord], set[str]]:
    """The reviews (of the first ``limit`` businesses by id) and the refs labelled spam."""
    texts: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for business, rows in json.loads((data / "review_texts.json").read_text("utf-8")).items():
        for reviewer, rating, _label, text in rows:
            texts[(business, str(reviewer), int(rating))].append(text)
    lines = (data / "reviews.txt").read_text("utf-8").split("\n")
    keep = sorted({line.split()[1] for line in lines if line.strip()}, key=int)[:limit]
    keep_set = set(keep)
    reviews, spam = [], set()
    for n, line in enumerate(lines):
        if not line.strip():
            continue
        reviewer, business, rating, label, day = line.split()
        if business not in keep_set:
            continue
        stars = int(float(rating))
        found = texts.get((business, reviewer, stars))
        reviews.append(ReviewRecord(f"r{n}", reviewer, business, date.fromisoformat(day),
                                    stars, found.pop(0) if found else ""))
        if label == "-1":
            spam.add(f"r{n}")
    return reviews, spam


def half(business: str) -> str:
    return "tune" if hashlib.sha256(business.encode()).digest()[0] % 2 == 0 else "report"


def burst_reviews(reviews: list[ReviewRecord]) -> set[str]:
    """The reviews on a day the bursts signal flags for their business (volume or mix)."""
    by_day: dict[str, dict[date, list[ReviewRecord]]] = defaultdict(lambda: defaultdict(list))
    for r in reviews:
        by_day[r.business][r.day].append(r)
    out: set[str] = set()
    for days in by_day.values():
        series = [DayCounts(d, len(rs), Counter(r.rating for r in rs)) for d, rs in days.items()]
        for burst in find_bursts(series):
            out.update(r.review for r in days[burst.day])
    return out


def other_signals(reviews: list[ReviewRecord], status: dict[str, str]) -> tuple[
        dict[str, float], set[str], set[str]]:
    """Ring scores by reviewer, and the reviewers and reviews in duplicate clusters, from the
    rings and duplicates signals when they are installed (another branch builds them)."""
    rings: dict[str, float] = {}
    try:
        from integrity_desk.signals.rings import find_rings  # type: ignore[import-not-found]
    except ImportError:
        status["rings"] = "not available"
    else:
        found = find_rings(reviews)
        for ring in found:
            for who in ring.reviewers:
                rings[who] = max(rings.get(who, 0.0), float(ring.score))
        status["rings"] = f"{len(found)} rings, {len(rings)} reviewers"
    dup_reviewers, dup_reviews = set(), set()
    try:
        from integrity_desk.signals.duplicates import find_duplicates  # type: ignore[import-not-found]
    except ImportError:
        status["duplicates"] = "not available"
    else:
        clusters = find_duplicates([r for r in reviews if r.text])
        for cluster in clusters:
            dup_reviewers.update(m.reviewer for m in cluster.members)
            dup_reviews.update(m.review for m in cluster.members)
        status["duplicates"] = f"{len(clusters)} clusters over the 167 texts"
    return rings, dup_reviewers, dup_reviews


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Σ (Rₙ − Rₙ₋₁) Pₙ over the distinct scores, highest first (ties share one threshold)."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order].astype(float)
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # the end of each tie group
    tp = np.cumsum(y)[last]
    precision, recall = tp / (last + 1), tp / max(y.sum(), 1)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def best_cut(scores: np.ndarray, labels: np.ndarray) -> float:
    """The score at or above which flagging gives the best F1."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order].astype(float)
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(y)[last]
    f1 = 2 * tp / (last + 1 + y.sum())
    return float(s[last[int(np.argmax(f1))]])


def tune(x: np.ndarray, labels: np.ndarray, names: list[str]) -> dict[str, float]:
    """Non-negative weights for the columns of ``x`` maximising AP: coordinate ascent over
    a 0.05 grid from equal weights, three rounds; normalised to sum 1."""
    w = np.ones(x.shape[1])
    for _ in range(3):
        for i in range(len(w)):
            trial = []
            for g in GRID:
                w[i] = g
                trial.append(average_precision(x @ w, labels) if w.any() else 0.0)
            w[i] = GRID[int(np.argmax(trial))]
    w = w / (w.sum() or 1.0)
    return {n: round(float(v), 3) for n, v in zip(names, w, strict=True)}


def signal_matrices(reviews: list[ReviewRecord], spam: set[str],
                    status: dict[str, str]) -> dict[str, dict[str, np.ndarray]]:
    """Per level, a column for every ranking (features and baselines) and the labels."""
    bursts = burst_reviews(reviews)
    rings, dup_reviewers, dup_reviews = other_signals(reviews, status)
    status["bursts"] = f"{len(bursts)} reviews on burst days"
    risks = score_reviewers(reviews, ring_members=rings, duplicate_members=dup_reviewers,
                            burst_reviews=bursts)
    refs = sorted(risks)
    spammers = {r.reviewer for r in reviews if r.review in spam}
    who: dict[str, np.ndarray] = {p: np.array([risks[r].part(p).value for r in refs])
                                  for p in PARTS}
    who["baseline: fewer reviews"] = -np.array([risks[r].reviews for r in refs], float)
    who["baseline: rating extremity"] = who["extremity"]  # the part
    who["label"] = np.array([r in spammers for r in refs])
    features = review_features(reviews, risks, burst_reviews=bursts,
                               duplicate_reviews=dup_reviews)
    order = [r.review for r in reviews]
    one: dict[str, np.ndarray] = {k: np.array([features[r][k] for r in order])
                                  for k in REVIEW_WEIGHTS}
    index = {ref: i for i, ref in enumerate(refs)}
    for p in PARTS:  # the author's parts, each read as a ranking of reviews
        one[f"author {p}"] = who[p][[index[r.reviewer] for r in reviews]]
    one["baseline: fewer reviews"] = who["baseline: fewer reviews"][
        [index[r.reviewer] for r in reviews]]
    one["baseline: rating extremity"] = one["extreme"]
    one["label"] = np.array([r in spam for r in order])
    return {"reviewer": who, "review": one}


def measure(data: Path = DATA, limit: int | None = None) -> Report:
    """Run the signals on each half of the businesses (the first ``limit`` by id), tune on
    one half and report on the other."""
    start = time.perf_counter()
    reviews, spam = load(data, limit)
    halves = {h: [r for r in reviews if half(r.business) == h] for h in ("tune", "report")}
    status: dict[str, str] = {}
    m = {h: signal_matrices(rows, spam, status if h == "report" else {})
         for h, rows in halves.items()}
    parts = [p for p in PARTS if p not in UNMEASURABLE]
    w_who = tune(np.column_stack([m["tune"]["reviewer"][p] for p in parts]),
                 m["tune"]["reviewer"]["label"], parts)
    for h in m:  # the tuned reviewer score, and its default-weight sibling
        who, one = m[h]["reviewer"], m[h]["review"]
        who["combined (default weights)"] = sum(WEIGHTS[p] * who[p] for p in PARTS)
        who["combined (tuned)"] = sum(w_who[p] * who[p] for p in parts)
        one["combined (default weights)"] = sum(
            REVIEW_WEIGHTS[k] * one[k] for k in REVIEW_WEIGHTS)
        one["tuned reviewer"] = sum(w_who[p] * one[f"author {p}"] for p in parts)
    own = ["tuned reviewer", *(k for k in REVIEW_WEIGHTS if k != "reviewer")]
    w_one = tune(np.column_stack([m["tune"]["review"][k] for k in own]),
                 m["tune"]["review"]["label"], own)
    for h in m:
        one = m[h]["review"]
        one["combined (tuned)"] = sum(w_one[k] * one[k] for k in own)
    report = Report(
        businesses={h: len({r.business for r in rows}) for h, rows in halves.items()},
        reviews={h: len(rows) for h, rows in halves.items()},
        reviewers={h: len(m[h]["reviewer"]["label"]) for h in m},
        spam_share={lv: float(m["report"][lv]["label"].mean()) for lv in ("review", "reviewer")},
        signals=status, weights={"reviewer": w_who, "review": w_one})
    for level in ("reviewer", "review"):
        tuned, held = m["tune"][level], m["report"][level]
        for name, scores in held.items():
            if name in SKIP or name.endswith(UNMEASURABLE):
                continue
            cut = best_cut(tuned[name], tuned["label"])
            flagged, y = scores >= cut, held["label"]
            tp = float((flagged & y).sum())
            kind = ("baseline" if name.startswith("baseline") else
                    "combined" if name.startswith("combined") else "part")
            report.rows.append(Row(level, kind, name, tp / max(flagged.sum(), 1),
                                   tp / max(y.sum(), 1), average_precision(scores, y), cut,
                                   average_precision(tuned[name], tuned["label"])))
    report.seconds = time.perf_counter() - start
    return report


def show(report: Report) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=110)
    for level in ("reviewer", "review"):
        table = Table(title=f"{level}s of the report half — spam share (random AP) "
                            f"{report.spam_share[level]:.3f}")
        for col in ("kind", "ranking", "cut", "precision", "recall", "AP", "AP (tune)"):
            table.add_column(col, justify="left" if col in ("kind", "ranking") else "right")
        for row in (r for r in report.rows if r.level == level):
            table.add_row(row.kind, row.name, f"{row.cut:.3f}", f"{row.precision:.3f}",
                          f"{row.recall:.3f}", f"{row.ap:.3f}", f"{row.ap_tune:.3f}")
        console.print(table)
    console.print(f"businesses {report.businesses}, reviews {report.reviews}, reviewers "
                  f"{report.reviewers}; signals on the report half {report.signals}")
    console.print(f"weights tuned on the tune half: {report.weights}")
    console.print(f"{report.seconds:.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--businesses", type=int, default=None,
                        help="only the first N businesses by id")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.data / "reviews.txt").exists():
        raise SystemExit(f"{args.data} has no reviews.txt: pass --data <the yelpchi folder>")
    report = measure(args.data, args.businesses)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
    else:
        show(report)


if __name__ == "__main__":
    main()
