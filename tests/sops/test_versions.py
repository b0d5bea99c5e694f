"""The version in force at an instant: the kind's latest published at or before it — the
boundary included — and each kind on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database
from integrity_desk.sops import service
from integrity_desk.sops.service import ItemInput

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ITEMS = [ItemInput("read", "Read the report", required=True)]


def test_the_version_in_force_at_an_instant(db: Database) -> None:
    with db.session() as s:
        for n, kind in ((0, "flag"), (2, "flag"), (1, "appeal")):
            service.publish(s, kind, title=f"{kind} {n}", body="Steps.", items=ITEMS,
                            note=None, actor=SYSTEM, now=T0 + timedelta(hours=n))

        def version(kind: str, at: datetime) -> int | None:
            found = service.in_force(s, kind, at)
            return found.version if found else None

        assert version("flag", T0 - timedelta(seconds=1)) is None
        assert version("flag", T0) == 1  # published at the very instant: in force
        assert version("flag", T0 + timedelta(hours=1, minutes=59)) == 1
        assert version("flag", T0 + timedelta(hours=2)) == 2
        assert version("appeal", T0 + timedelta(hours=3)) == 1
        assert version("legal_notice", T0 + timedelta(days=1)) is None
        assert [(x.kind, x.version) for x in service.current(s)] == [("appeal", 1), ("flag", 2)]
        assert [x.version for x in service.versions(s, "flag")] == [2, 1]
