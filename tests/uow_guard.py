"""Every request the tests make is watched: once a request's unit of work has committed, its
session may read nothing more (``integrity_desk.unit_of_work``). A read after the COMMIT means
an endpoint committed on its own and then re-read (a second transaction, an answer that may
not be the one committed), so the test that made the request fails (``tests/conftest.py``).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from integrity_desk.unit_of_work import WRITE_REQUEST

COMMITTED = "tests.committed"

violations: list[str] = []
"""What was read after a request's COMMIT since the current test began."""


def _committed(session: Session) -> None:
    if WRITE_REQUEST in session.info:
        session.info[COMMITTED] = True


def _read(state: ORMExecuteState) -> None:
    info = state.session.info
    if info.get(COMMITTED) and state.is_select:
        violations.append(f"{info[WRITE_REQUEST]} request read after its COMMIT: "
                          f"{str(state.statement)[:160]}")


def install() -> None:
    """Watch every session (idempotent)."""
    for name, fn in (("after_commit", _committed), ("do_orm_execute", _read)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)
