"""Precision and recall of triage's harm classifier (triage/harm.py) on real labelled text.

The data is ``shared/data/toxicity/labeled_data.csv`` (Davidson et al. 2017: 24,783 tweets,
each labelled hate speech, offensive language or neither by CrowdFlower annotators, majority
vote in ``class``: 0 hate, 1 offensive, 2 neither). "Harmful" is hate or offensive; the hate
class is also reported alone, since hate speech is what the blur must never miss.

    .venv/bin/python -m bench.harm_classifier [path/to/labeled_data.csv]
"""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from integrity_desk.triage.harm import classify

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "toxicity" / \
    "labeled_data.csv"


@dataclass(frozen=True)
class Figures:
    texts: int
    precision: float  # of "harmful" (hate or offensive)
    recall: float
    hate_recall: float  # share of the hate-speech texts flagged
    neither_flagged: float  # share of the harmless texts flagged (false-positive rate)
    seconds: float

    def lines(self) -> list[str]:
        return [f"texts {self.texts}", f"precision {self.precision:.3f}",
                f"recall {self.recall:.3f}", f"hate-speech recall {self.hate_recall:.3f}",
                f"harmless texts flagged {self.neither_flagged:.3f}",
                f"{self.seconds / self.texts * 1e6:.0f} µs a text"]


def measure(path: Path = DATA) -> Figures:
    with path.open(encoding="utf-8", newline="") as f:
        rows = [(r["class"], r["tweet"]) for r in csv.DictReader(f)]
    start = time.perf_counter()
    tp = fp = fn = tn = hate = hate_hit = 0
    for label, text in rows:
        flagged = classify(text, language="en").harmful
        positive = label in ("0", "1")
        tp += flagged and positive
        fp += flagged and not positive
        fn += positive and not flagged
        tn += not (flagged or positive)
        if label == "0":
            hate += 1
            hate_hit += flagged
    seconds = time.perf_counter() - start
    return Figures(len(rows), tp / (tp + fp), tp / (tp + fn), hate_hit / hate, fp / (fp + tn),
                   seconds)


if __name__ == "__main__":
    print("\n".join(measure(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA).lines()))
