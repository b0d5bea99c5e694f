"""An import from start to end: rows streamed in, checked, written a batch per transaction.

The same loop serves the command line (a file, with a progress bar and a report of bad rows)
and the API (an NDJSON body, with a result per line). Each batch is one transaction: a batch
lands whole or not at all, and since every write is an upsert, re-running an import that
stopped half-way adds what is missing and changes nothing that landed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
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


Result = Callable[[int, str, str, dict[str, Any]], None]  # line, key, result, details


class ImportRun:
    """One import fed row by row: bad rows are reported at once, the good ones land a batch
    at a time, and ``on_result`` hears what became of each landed row (the API's answer).

    ``unit`` gives each batch its unit of work: a new transaction per batch for a file (a
    stopped import keeps what landed), or the request's own for the API (a request lands whole
    or not at all, and on SQLite a second writer beside the request's would wait on its lock).
    """

    def __init__(self, unit: Callable[[], AbstractContextManager[Session]], kind: str, *,
                 actor: Actor,
                 on_bad: Callable[[BadRow], None] = lambda bad: None,
                 on_batch: Callable[[Summary], None] = lambda summary: None,
                 on_result: Result | None = None, overlap: bool = False) -> None:
        self.unit, self.kind, self.actor = unit, kind, actor
        self.on_bad, self.on_batch, self.on_result = on_bad, on_batch, on_result
        self.check = CHECKS[kind]
        self.size = BATCH_LIMIT if kind == "flags" else BATCH_ROWS
        self.summary = Summary(kind)
        # One moment for the whole import: the businesses it touches are stamped once.
        self.started = utcnow()
        self.batch: list[tuple[int, dict[str, Any]]] = []
        # Overlap: one batch is written by a second thread while this one reads and checks the
        # next (psycopg and sqlite3 let go of the GIL while the database works), so the two
        # cores each do half. Flags call back from inside intake, so they never overlap.
        self._writer = ThreadPoolExecutor(1) if overlap and kind != "flags" else None
        self._pending: Future[None] | None = None

    def add(self, number: int, row: dict[str, Any] | BadRow) -> None:
        self.summary.read += 1
        if isinstance(row, BadRow):
            self._bad(row)
            return
        try:
            self.batch.append((number, self.check(row)))
        except RowError as error:
            self._bad(BadRow(number, error.field, error.reason))
            return
        if len(self.batch) >= self.size:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        if self._writer is None:
            self._write(batch)
            return
        self._wait()
        self._pending = self._writer.submit(self._write, batch)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()  # a failed batch raises here, and nothing after it is written

    def _write(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        with self.unit() as session:
            if self.kind == "flags":
                _flags(session, batch, self.summary, self.actor, self._bad, self.on_result)
            else:
                outcome = IMPORTERS[self.kind](session, [values for _, values in batch],
                                               now=utcnow(), since=self.started)
                self.summary.outcome += outcome
                if self.on_result:
                    key = KEYS[self.kind]
                    for number, values in batch:
                        self.on_result(number, values[key], outcome.by_key[values[key]], {})
        self.on_batch(self.summary)

    def finish(self) -> Summary:
        try:
            self.flush()
            self._wait()
        finally:
            if self._writer is not None:
                self._writer.shutdown(wait=True)
        return self.summary

    def stop(self) -> None:
        """Give up after an error: let the batch in flight end (landing, or not), write no
        more."""
        if self._writer is not None:
            self._writer.shutdown(wait=True)

    def _bad(self, bad: BadRow) -> None:
        self.summary.bad += 1
        self.on_bad(bad)


KEYS = {"reviews": "ref", "reviewers": "ref", "businesses": "domain", "flags": "ref"}


def run_import(database: Database, kind: str, rows: Numbered, *, actor: Actor,
               on_bad: Callable[[BadRow], None] = lambda bad: None,
               on_batch: Callable[[Summary], None] = lambda summary: None) -> Summary:
    """Import every row; bad rows go to ``on_bad`` and the good ones land a batch at a time."""
    run = ImportRun(database.session, kind, actor=actor, on_bad=on_bad, on_batch=on_batch,
                    overlap=True)
    try:
        for number, row in rows:
            run.add(number, row)
    except BaseException:
        run.stop()  # what was written stays written; the batch being read is dropped
        raise
    return run.finish()


def _flags(session: Session, batch: list[tuple[int, dict[str, Any]]], summary: Summary,
           actor: Actor, on_bad: Callable[[BadRow], None], on_result: Result | None) -> None:
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
            if on_result:
                on_result(number, values["ref"], "unchanged", {})
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
            if on_result:
                on_result(number, values["ref"], status, {"receipt": result["receipt"]})
        else:  # one bad row however many of its fields intake refused
            errors = result.get("errors") or [{"field": "item", "message": status}]
            reason = errors[0]["message"] if len(errors) == 1 else "; ".join(
                f"{e['field']}: {e['message']}" for e in errors)
            on_bad(BadRow(number, errors[0]["field"], reason))
    if filed:
        session.execute(insert(ImportedFlag), filed)
