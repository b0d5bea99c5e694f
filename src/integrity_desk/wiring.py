"""Start-up wiring: the hooks one slice lends another, registered by one call every entry point
makes before its first unit of work.

Importing a module registers nothing: a process that records timeline events without the
webhook listener would drop the deliveries those events owe, silently, and a SQLite connection
without the search slice's text function fails on the first write to an indexed table. So the
API's app factory, the CLI's database, the worker, the mail servers, the migrations, the bench,
the scripts and the tests all call :func:`wire`, and ``tests/test_wiring.py`` checks that they
do. Calling it again is harmless (every registration is idempotent).
"""

from __future__ import annotations


def wire() -> None:
    """Register every start-up hook of the desk; idempotent, cheap after the first call."""
    # Imported here, not at the top: this module is imported by entry points that are themselves
    # imported by slices' tests and tools, and the models pull in every slice.
    import integrity_desk.models  # noqa: F401  (every mapper registered before first use)
    from integrity_desk.audit.service import listen
    from integrity_desk.db import register_sqlite_function
    from integrity_desk.evidence.service import on_events as capture_evidence
    from integrity_desk.search.text import SQL_FUNCTION, search_text
    from integrity_desk.unit_of_work import listen as note_writes
    from integrity_desk.webhooks.emit import emit

    # The webhook outbox: deliveries written in the transaction of the events that owe them.
    listen(emit)
    # Evidence snapshots, taken in the transaction of the status change or decision.
    listen(capture_evidence)
    # SQLite's full-text triggers call the search slice's text function (db imports no slice).
    register_sqlite_function(SQL_FUNCTION, 1, search_text)
    # A read request commits only if it wrote (an audited case read): sessions note their writes.
    note_writes()


def is_wired() -> bool:
    """Whether this process has been wired (the webhook listener is the sign checked)."""
    from integrity_desk.audit.service import listening
    from integrity_desk.webhooks.emit import emit

    return listening(emit)
