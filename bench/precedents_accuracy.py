"""How often the top precedent's outcome is the case's own later outcome (issue 24).

    .venv/bin/python -m bench.precedents_accuracy [--db sqlite|postgresql] [--demo-cases 1000]
        [--tweets 24783] [--queries 3000]

(a) The demo data (``idesk demo``'s seed, decisions taken through decisions.service, so the
precedents are written by the hook): each decided case in the order decided, against the
precedents decided before it.

(b) The toxicity texts (/work/shared/data/toxicity/labeled_data.csv, Davidson et al. 2017):
each tweet is a flag's text; its label decides the outcome (hate speech or offensive: action;
neither: no action). The tweets are put in a fixed random order (seed 7: the file is sorted
by text, and has no dates); the first ``--decided-share`` are decided in that order, then each
later one asks for precedents among them, as an open case would.

Both are compared with the base rate: always answering the outcome most of the decided cases
had. Also shown: the majority of the top five, and balanced accuracy (the mean of the share
of action cases and of no-action cases answered right), which the base rate cannot flatter.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.decisions.models import Decision
from integrity_desk.people.models import User
from integrity_desk.precedents import service
from integrity_desk.precedents.models import Precedent

TOXICITY = Path("/work/shared/data/toxicity/labeled_data.csv")
START = datetime(2026, 1, 1, tzinfo=UTC)
READER = User(role="admin")  # reads every case: the measurement is of ranking, not access


@dataclass
class Accuracy:
    name: str
    precedents: int
    queries: int
    answered: int  # queries with at least one precedent
    top1: float  # share of queries whose top precedent had their outcome
    top5: float  # the majority of the top five (ties: the top one's)
    base_rate: float  # always answering the decided cases' majority outcome
    balanced: float  # top-1: mean of per-outcome recall
    majority: str

    def lines(self) -> list[str]:
        return [f"{self.name}: {self.precedents:,} precedents, {self.queries:,} cases asked, "
                f"{self.answered:,} with a precedent",
                f"  top-1 {self.top1:.1%}  top-5 majority {self.top5:.1%}  "
                f"base rate ({self.majority}) {self.base_rate:.1%}  "
                f"top-1 balanced {self.balanced:.1%}"]


def score(name: str, decided: Sequence[str], asked: Sequence[tuple[str, list[str]]]
          ) -> Accuracy:
    """``decided``: the outcomes of the precedents; ``asked``: each asking case's own outcome
    and its precedents' outcomes, best first."""
    majority = Counter(decided).most_common(1)[0][0] if decided else "action"
    top1 = top5 = 0
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter(truth for truth, _ in asked)
    for truth, outcomes in asked:
        first = outcomes[0] if outcomes else majority
        votes = Counter(outcomes[:5]).most_common()
        five = votes[0][0] if votes and (len(votes) == 1 or votes[0][1] > votes[1][1]) \
            else first
        top1 += first == truth
        top5 += five == truth
        hits[truth] += first == truth
    n = max(1, len(asked))
    balanced = sum(hits[o] / totals[o] for o in totals) / max(1, len(totals))
    return Accuracy(name, len(decided), len(asked), sum(1 for _, o in asked if o), top1 / n,
                    top5 / n, sum(1 for t, _ in asked if t == majority) / n, balanced, majority)


def load_toxicity(path: Path = TOXICITY, *, limit: int | None = None, seed: int = 7
                  ) -> list[tuple[str, str]]:
    """(text, outcome) in a fixed random order."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [(r["tweet"], "no_action" if r["class"] == "2" else "action")
                for r in csv.DictReader(fh)]
    random.Random(seed).shuffle(rows)
    return rows[:limit] if limit else rows


def _case(text: str, at: datetime) -> Case:
    return Case(kind="flag", channel="api", title=text[:300], description="", status="closed",
                is_open=False, tier=1, priority=3, requester_type="user", category="harassment",
                created_at=at, updated_at=at)


def toxicity_accuracy(db: Database, items: Sequence[tuple[str, str]], *,
                      decided_share: float = 0.8, queries: int | None = None,
                      progress: Callable[[int], None] | None = None) -> Accuracy:
    """Decide the first share of ``items`` (cases and decisions written straight, the
    precedents by precedents.service.write, as the hook does), ask for the rest."""
    cut = int(len(items) * decided_share)
    later = items[cut:][:queries] if queries else items[cut:]
    with db.session() as s:
        for start in range(0, cut, 1000):
            chunk = items[start:min(cut, start + 1000)]
            cases = [_case(text, START + timedelta(minutes=start + i))
                     for i, (text, _) in enumerate(chunk)]
            s.add_all(cases)
            s.flush()
            decisions = [Decision(case_id=c.id, kind="decision", outcome=outcome,
                                  explanation="-", facts="-", source_type="notice",
                                  status="applied", decided_at=c.created_at)
                         for c, (_, outcome) in zip(cases, chunk, strict=True)]
            s.add_all(decisions)
            s.flush()
            made = service.profiles(s, cases)
            service.write(s, [(c, d, "harassment", made[c.id])
                              for c, d in zip(cases, decisions, strict=True)])
            if progress:
                progress(len(chunk))
    asked: list[tuple[str, list[str]]] = []
    with db.session() as s:
        opened = [_case(text, START + timedelta(days=365)) for text, _ in later]
        for c in opened:
            c.status, c.is_open = "new", True
        s.add_all(opened)
        s.flush()
        for c, (_, truth) in zip(opened, later, strict=True):
            found = service.find(s, READER, c, limit=5)
            asked.append((truth, [f.outcome for f in found]))
            if progress:
                progress(1)
        s.rollback()
    return score("toxicity texts", [o for _, o in items[:cut]], asked)


def demo_accuracy(db: Database, *, skip: int = 20) -> Accuracy:
    """Each precedent of the demo data, in the order decided, against those decided before it
    (the first ``skip`` have too few before them and are not asked)."""
    asked: list[tuple[str, list[str]]] = []
    with db.session() as s:
        rows = s.execute(select(Precedent, Case).join(Case, Case.id == Precedent.case_id)
                         .order_by(Precedent.decided_at, Precedent.case_id)).all()
        for p, case in rows[skip:]:
            found = service.find(s, READER, case, limit=5, before=p.decided_at)
            asked.append((p.outcome, [f.outcome for f in found]))
    return score("demo data", [p.outcome for p, _ in rows], asked)


def main(argv: list[str] | None = None) -> int:
    from bench.common import fresh_database, log
    from integrity_desk.demo.seed import seed_demo

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--demo-cases", type=int, default=1000)
    parser.add_argument("--tweets", type=int, default=None, help="default: all")
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--decided-share", type=float, default=0.8)
    args = parser.parse_args(argv)
    results = []
    if args.demo_cases:
        db = fresh_database(args.db, "precedents_demo")
        log(f"seeding the demo data: {args.demo_cases:,} cases")
        seed_demo(db, cases=args.demo_cases, seed=7)
        results.append(demo_accuracy(db))
        db.dispose()
    if TOXICITY.exists():
        db = fresh_database(args.db, "precedents_toxicity")
        items = load_toxicity(limit=args.tweets)
        log(f"toxicity: {len(items):,} tweets, {args.decided_share:.0%} decided")
        results.append(toxicity_accuracy(db, items, decided_share=args.decided_share,
                                         queries=args.queries))
        db.dispose()
    else:
        log(f"{TOXICITY} is absent: the toxicity measurement is skipped")
    for result in results:
        for line in result.lines():
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
