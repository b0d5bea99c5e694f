"""The unit of work of one request: one transaction, committed once, after the answer is built.

Every API endpoint and console page gets its session from :func:`request_unit` (through
``api.deps.SessionDep``). Services flush; nothing at the interface commits. When the endpoint
returns, FastAPI has already turned its answer into a response (the dependency is
function-scoped), and only then is the transaction committed, so:

- a write request reads nothing after its COMMIT (no second transaction to re-read the case,
  no lazy load of a stale object), and ``tests/conftest.py`` fails any test whose request does;
- a COMMIT that fails (a serialisation failure, a deferred constraint) answers as an error,
  never as a success that did not happen;
- an error anywhere rolls the whole request back: nothing half-written.

Two kinds of write must outlive a refused request, and they say so explicitly:

- bookkeeping of the request itself (an API token's last use, a browser session's last-seen
  time) is registered with :func:`keep_if_refused`: on an error the transaction is rolled back
  and these writes alone are made again and committed;
- a refusal that is itself the record (a browser session ended because it ran out) calls
  :func:`commit_refusal` right before raising, and reads nothing after it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)

WROTE = "integrity_desk.wrote"
"""``Session.info`` key: this transaction has written (flushed or executed DML)."""
IF_REFUSED = "integrity_desk.if_refused"
"""``Session.info`` key: writes to make again when the request is refused."""
WRITE_REQUEST = "integrity_desk.write_request"
"""``Session.info`` key: the session is the unit of work of a request (its method)."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _note_flush(session: Session, _flush: UOWTransaction) -> None:
    session.info[WROTE] = True


def _note_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def _forget_writes(session: Session) -> None:
    session.info.pop(WROTE, None)


_LISTENERS = (("after_flush", _note_flush), ("do_orm_execute", _note_dml),
              ("after_commit", _forget_writes), ("after_rollback", _forget_writes))


def listen() -> None:
    """Note on every session whether its transaction wrote (``integrity_desk.wiring`` calls
    this); idempotent."""
    for name, fn in _LISTENERS:
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


def has_written(session: Session) -> bool:
    """Whether the session holds writes: flushed or executed as DML in its transaction, or
    still pending in the session (added, changed or deleted, not yet flushed)."""
    return bool(session.info.get(WROTE) or session.new or session.dirty or session.deleted)


def needs_commit(session: Session, method: str) -> bool:
    """A write request always commits what it began; a read commits only what it wrote (a
    case read is audited), and otherwise is rolled back."""
    if method not in SAFE_METHODS:
        return session.in_transaction() or has_written(session)
    return has_written(session)


def keep_if_refused(session: Session, write: Callable[[Session], Any]) -> None:
    """Make ``write`` now, and again after the rollback if the request is refused.

    For the request's own bookkeeping only (it must be small, idempotent and read nothing
    it did not read before): a token used for a request that ends in a 404 was still used.
    """
    write(session)
    session.info.setdefault(IF_REFUSED, []).append(write)


def commit_refusal(session: Session) -> None:
    """Commit a refusal's own record just before raising it (nothing may be read after)."""
    session.info.pop(IF_REFUSED, None)
    session.commit()


def _finish_refused(session: Session) -> None:
    session.rollback()
    writes = session.info.pop(IF_REFUSED, [])
    if writes:
        for write in writes:
            write(session)
        session.commit()


@asynccontextmanager
async def request_unit(session: Session, method: str) -> AsyncIterator[Session]:
    """Yield the request's session; commit once on success, roll back on any error.

    A COMMIT waits on the server (and on PostgreSQL on its WAL flush), so it runs on a worker
    thread like the endpoint did; a read-only transaction is rolled back on the event loop,
    which costs no more than a COMMIT would and saves the thread hop on every page and list.
    """
    session.info[WRITE_REQUEST] = method
    try:
        yield session
    except BaseException:
        if session.info.get(IF_REFUSED):
            try:
                await run_in_threadpool(_finish_refused, session)
            except Exception:  # the refusal is the answer; losing its bookkeeping is not
                log.exception("the bookkeeping of a refused request was not kept")
        raise
    else:
        if needs_commit(session, method):
            await run_in_threadpool(session.commit)
    finally:
        session.rollback()
        session.close()
