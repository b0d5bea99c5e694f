"""An import from start to end: rows streamed in, checked, written a batch per transaction.

The same loop serves the command line (a file, with a progress bar and a report of bad rows)
and the API (an NDJSON body, with a result per line). Each batch is one transaction: a batch
lands whole or not at all, and since every write is an upsert, re-running an import that
stopped half-way adds what is missing and changes nothing that landed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.schemas import BATCH_LIMIT
from integrity_desk.reviewdata.importer import BATCH_ROWS, IMPORTERS, Outcome
from integrity_desk.reviewdata.models import ImportedFlag
from integrity_desk.reviewdata.rows import CHECKS, BadRow, RowError

Numbered = Iterable[tuple[int, dict[str, Any] | BadRow]]


@dataclass
class Summary:
    """What an import did, for the command's last line and the API's closing record."""

    kind: str
    read: int = 0
    outcome: Outcome = field(default_factory=Outcome)
    bad: int = 0
    # flags: cases opened and flags joined to an open case
    cases_opened: int = 0
    flags_joined: int = 0

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "read": self.read, **self.outcome.as_dict(),
                               "bad": self.bad}
        if self.kind == "flags":
            out.update(cases_opened=self.cases_opened, flags_joined=self.flags_joined)
        return out


def run_import(database: Database, kind: str, rows: Numbered, *, actor: Actor,
               on_bad: Callable[[BadRow], None] = lambda bad: None,
               on_batch: Callable[[Summary], None] = lambda summary: None) -> Summary:
    """Import every row; bad rows go to ``on_bad`` and the good ones land a batch at a time."""
    check = CHECKS[kind]
    summary = Summary(kind)
    size = BATCH_LIMIT if kind == "flags" else BATCH_ROWS
    batch: list[tuple[int, dict[str, Any]]] = []
    for number, row in rows:
        summary.read += 1
        if isinstance(row, BadRow):
            summary.bad += 1
            on_bad(row)
            continue
        try:
            batch.append((number, check(row)))
        except RowError as error:
            summary.bad += 1
            on_bad(BadRow(number, error.field, error.reason))
            continue
        if len(batch) >= size:
            _write(database, kind, batch, summary, actor, on_bad)
            batch = []
            on_batch(summary)
    if batch:
        _write(database, kind, batch, summary, actor, on_bad)
        on_batch(summary)
    return summary


def _write(database: Database, kind: str, batch: list[tuple[int, dict[str, Any]]],
           summary: Summary, actor: Actor, on_bad: Callable[[BadRow], None]) -> None:
    with database.session() as session:
        if kind == "flags":
            _flags(session, batch, summary, actor, on_bad)
        else:
            summary.outcome += IMPORTERS[kind](session, [values for _, values in batch],
                                               now=utcnow())


def _flags(session: Session, batch: list[tuple[int, dict[str, Any]]], summary: Summary,
           actor: Actor, on_bad: Callable[[BadRow], None]) -> None:
    """Flags go through intake itself (triage, dedupe into open cases, SLA), a batch as
    ``POST /cases/batch`` takes it; an item intake refuses is a bad row with intake's reason.
    A flag id filed before (or twice in the batch) is skipped: it counts as unchanged."""
    from integrity_desk.intake.service import Intake  # intake is heavy; only flags need it

    refs = [values["ref"] for _, values in batch]
    seen = set(session.scalars(select(ImportedFlag.ref).where(
        ImportedFlag.ref.in_(bindparam("refs", expanding=True))), {"refs": refs}))
    fresh: list[tuple[int, dict[str, Any]]] = []
    for number, values in batch:
        if values["ref"] in seen:
            summary.outcome.unchanged += 1
            continue
        seen.add(values["ref"])
        fresh.append((number, values))
    if not fresh:
        return
    now = utcnow()
    results = Intake(session, now=now, actor=actor).submit_flags(
        [values["item"] for _, values in fresh])
    filed: list[dict[str, Any]] = []
    for (number, values), result in zip(fresh, results, strict=True):
        status = result["status"]
        if status in ("created", "linked"):
            summary.outcome.added += 1
            if status == "created":
                summary.cases_opened += 1
            else:
                summary.flags_joined += 1
            filed.append({"ref": values["ref"], "receipt": result["receipt"],
                          "imported_at": now})
        else:
            summary.bad += 1
            for error in result.get("errors") or [{"field": "item", "message": status}]:
                on_bad(BadRow(number, error["field"], error["message"]))
    if filed:
        session.execute(insert(ImportedFlag), filed)
