"""Send queued statements to the Transparency Database: batched, idempotent, logged.

Batches of at most 100 leave in puid order. The batch endpoint is all-or-nothing, so a 422
is taken apart: statements named in ``statement_<index>`` errors are parked with the
Commission's words for a person to fix; puids the Commission already holds (a crash after a
201, a second submitter) are confirmed with the existing-puid lookup and marked submitted; the
rest are sent again. 429 and 5xx (and no answer at all) are retried with exponential back-off
and jitter, never sooner than Retry-After; 401/403 stop the run. Every call is written to the
append-only submission log in the same transaction as the state it changed, and no transaction
is open while waiting on the network, so SQLite writers are never held up by a slow API.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm import Session

from integrity_desk.db import utcnow
from integrity_desk.dsa.client import Answer, TransparencyClient
from integrity_desk.dsa.models import DsaStatement, DsaSubmissionLog

BATCH_MAX = 100  # the API takes 1 to 100 statements per call
UnitOfWork = Callable[[], AbstractContextManager[Session]]
_STATEMENT_KEY = re.compile(r"^statement_(\d+)$")
_TABLE = DsaStatement.__table__


@dataclass
class Item:
    puid: str
    statement: dict[str, Any]


@dataclass
class SubmissionReport:
    submitted: int = 0
    already_there: int = 0
    parked: int = 0
    calls: int = 0
    retries: int = 0
    stopped: str | None = None
    queued_left: int = 0
    parked_puids: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"submitted": self.submitted, "already_there": self.already_there,
                "parked": self.parked, "calls": self.calls, "retries": self.retries,
                "queued_left": self.queued_left, "stopped": self.stopped}


class Stop(Exception):
    """The run cannot go on (bad token, the API keeps failing); the queue is left as it is."""


def session_scope(session: Session) -> UnitOfWork:
    """Units of work on one session, each committed on its own (for a worker job's session)."""
    @contextmanager
    def scope() -> Iterator[Session]:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return scope


class Submitter:
    def __init__(self, uow: UnitOfWork, client: TransparencyClient, *, actor: str,
                 batch_size: int = BATCH_MAX, max_retries: int = 6, base_delay: float = 1.0,
                 max_delay: float = 120.0, max_wait: float = 600.0,
                 sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.uow, self.client, self.actor = uow, client, actor
        self.batch_size = max(1, min(batch_size, BATCH_MAX))
        self.max_retries, self.base_delay, self.max_delay = max_retries, base_delay, max_delay
        self.max_wait = max_wait  # a Retry-After beyond this stops the run instead of blocking
        self.sleep, self.jitter, self.clock = sleep, jitter, clock
        self.report = SubmissionReport()

    def run(self, *, limit: int | None = None,
            progress: Callable[[int], None] | None = None) -> SubmissionReport:
        """Send up to ``limit`` queued statements (all of them by default)."""
        after, taken = "", 0
        try:
            while limit is None or taken < limit:
                size = self.batch_size if limit is None else min(self.batch_size, limit - taken)
                batch = self._next_batch(after, size)
                if not batch:
                    break
                after, taken = batch[-1].puid, taken + len(batch)
                self._send(batch)
                if progress:
                    progress(len(batch))
        except Stop as stop:
            self.report.stopped = str(stop)
        with self.uow() as session:
            self.report.queued_left = session.scalar(
                select(func.count()).select_from(DsaStatement)
                .where(DsaStatement.status == "queued")) or 0
        return self.report

    # -- one batch -----------------------------------------------------------------------------
    def _next_batch(self, after: str, size: int) -> list[Item]:
        with self.uow() as session:
            rows = session.execute(
                select(DsaStatement.puid, DsaStatement.statement)
                .where(DsaStatement.status == "queued", DsaStatement.puid > after)
                .order_by(DsaStatement.puid).limit(size))
            return [Item(puid, statement) for puid, statement in rows]

    def _send(self, items: list[Item]) -> None:
        pending = items
        while pending:
            answer = self._post(pending)
            if answer.status == 201:
                self._submitted(pending, answer)
                return
            invalid, duplicates = _refused(pending, answer)
            if not invalid and not duplicates and len(pending) == 1:
                # A 422 we cannot attribute, for a statement on its own: it is the culprit.
                invalid = {pending[0].puid: _message(answer.body) or answer.excerpt}
            if invalid:
                self._park(pending, invalid, answer)
            else:
                self._log("submit", [i.puid for i in pending], answer)
            if not invalid and not duplicates:
                middle = len(pending) // 2  # halve until the refused one stands alone
                self._send(pending[:middle])
                self._send(pending[middle:])
                return
            if duplicates:
                self._confirm(duplicates)
            pending = [i for i in pending if i.puid not in invalid and i.puid not in duplicates]

    def _post(self, items: list[Item]) -> Answer:
        """POST with back-off on 429, 5xx and transport errors; returns 201 or 422."""
        puids = [i.puid for i in items]
        for attempt in range(self.max_retries + 1):
            answer = self.client.submit([i.statement for i in items])
            self.report.calls += 1
            if answer.status in (201, 422):
                return answer  # logged with the state it changes
            self._log("submit", puids, answer, attempt=attempt + 1)
            if answer.status in (401, 403):
                raise Stop(f"the Transparency Database refused our token ({answer.status}): "
                           "check IDESK_DSA_API_TOKEN")
            if answer.status is not None and answer.status != 429 and answer.status < 500:
                raise Stop(f"unexpected answer {answer.status} from the Transparency Database: "
                           f"{answer.excerpt[:200]}")
            if attempt == self.max_retries:
                break
            delay = self._delay(attempt, answer.retry_after)
            self.report.retries += 1
            self.sleep(delay)
        raise Stop(f"the Transparency Database did not accept a batch after "
                   f"{self.max_retries + 1} attempts (last: {answer.status or answer.error})")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential with jitter (half to full), never sooner than Retry-After."""
        backoff = min(self.max_delay, self.base_delay * 2 ** attempt)
        delay = backoff * (0.5 + self.jitter() / 2)
        if retry_after is not None:
            if retry_after > self.max_wait:
                raise Stop(f"rate limited for {retry_after:.0f} s; the next run will go on")
            delay = max(delay, retry_after)
        return delay

    # -- outcomes ------------------------------------------------------------------------------
    def _submitted(self, items: list[Item], answer: Answer) -> None:
        created = answer.body.get("statements", []) if isinstance(answer.body, dict) else []
        uuids = {s.get("puid"): s.get("uuid") for s in created if isinstance(s, dict)}
        with self.uow() as session:
            self._log("submit", [i.puid for i in items], answer, session=session)
            _mark_submitted(session, {i.puid: uuids.get(i.puid) for i in items}, self.clock())
        self.report.submitted += len(items)

    def _park(self, items: list[Item], reasons: dict[str, str], answer: Answer) -> None:
        with self.uow() as session:
            self._log("submit", [i.puid for i in items], answer, session=session)
            self._log("park", sorted(reasons), None, session=session, reasons=reasons)
            session.connection().execute(
                update(_TABLE).where(_TABLE.c.puid == bindparam("p"),
                                     _TABLE.c.status == "queued")
                .values(status="parked", parked_reason=bindparam("reason")),
                [{"p": puid, "reason": reason} for puid, reason in sorted(reasons.items())])
        self.report.parked += len(reasons)
        self.report.parked_puids += sorted(reasons)

    def _confirm(self, puids: set[str]) -> None:
        """The Commission says it holds these puids: confirm each, then mark it submitted."""
        for puid in sorted(puids):
            answer = self.client.puid_exists(puid)
            self.report.calls += 1
            with self.uow() as session:
                self._log("lookup", [puid], answer, session=session)
                if answer.status == 302:
                    _mark_submitted(session, {puid: None}, self.clock())
                    self.report.already_there += 1
                    continue
                reason = (f"the Commission called the puid a duplicate but its lookup answered "
                          f"{answer.status or answer.error}")
                session.execute(update(DsaStatement).where(
                    DsaStatement.puid == puid, DsaStatement.status == "queued")
                    .values(status="parked", parked_reason=reason)
                    .execution_options(synchronize_session=False))
                self._log("park", [puid], None, session=session, reasons={puid: reason})
                self.report.parked += 1
                self.report.parked_puids.append(puid)

    def _log(self, action: str, puids: list[str], answer: Answer | None, *,
             session: Session | None = None, **detail: Any) -> None:
        entry = DsaSubmissionLog(
            at=self.clock(), action=action, puids=puids, actor=self.actor,
            http_status=answer.status if answer else None,
            response_excerpt=answer.excerpt if answer else None,
            detail={k: v for k, v in detail.items() if v is not None})
        if session is not None:
            session.add(entry)
            return
        with self.uow() as own:
            own.add(entry)


def _mark_submitted(session: Session, uuids: dict[str, str | None], now: datetime) -> None:
    """Queued or parked → submitted; a row corrected meanwhile keeps 'superseded' but records
    that the Commission has it."""
    session.connection().execute(
        update(_TABLE).where(_TABLE.c.puid == bindparam("p"))
        .values(status=case((_TABLE.c.status == "superseded", "superseded"),
                            else_="submitted"),
                tdb_uuid=func.coalesce(bindparam("uuid"), _TABLE.c.tdb_uuid),
                submitted_at=now),
        [{"p": puid, "uuid": uuid} for puid, uuid in sorted(uuids.items())])


def _refused(items: list[Item], answer: Answer) -> tuple[dict[str, str], set[str]]:
    """From a 422: the statements the Commission found invalid (with its words), and the puids
    it says it already holds."""
    errors = answer.body.get("errors") if isinstance(answer.body, dict) else None
    if not isinstance(errors, dict):
        return {}, set()
    invalid: dict[str, str] = {}
    duplicates: set[str] = set()
    ours = {i.puid for i in items}
    existing = errors.get("existing_puids")
    if isinstance(existing, list):
        duplicates |= {p for p in existing if p in ours}
    for key, value in errors.items():
        match = _STATEMENT_KEY.match(key)
        if not match or int(match.group(1)) >= len(items):
            continue
        puid = items[int(match.group(1))].puid
        text = _flatten(value)
        if "not unique" in text and isinstance(value, dict) and set(value) == {"puid"}:
            duplicates.add(puid)
        else:
            invalid[puid] = text
    return {p: m for p, m in invalid.items() if p not in duplicates}, duplicates


def _flatten(value: Any) -> str:
    """{"category": ["The selected category is invalid."]} → "category: The selected …"."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_flatten(v) for v in value)
    return str(value)


def _message(body: Any) -> str:
    if isinstance(body, dict):
        return _flatten(body.get("errors") or body.get("message") or "")
    return ""
