"""Steps many tests take through the public API."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi.routing import APIRoute

API = "/api/v1"


def decide_no_action(client: Any, person: Any, key: str, *,
                     guideline: str = "not_experience") -> Any:
    """Decide a case that is in progress (or assigned) with no action: the lightest decision."""
    return client.post(f"{API}/cases/{key}/decisions", headers=person.headers, json={
        "outcome": "no_action", "guideline": guideline,
        "explanation": "Checked against the guideline; nothing to act on.",
        "facts": "Read the report and the review."})


def api_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every route, into included routers (which newer FastAPI keeps
    whole in app.routes instead of copying their routes there)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from api_routes(inner.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def vendor_queues(client: Any, make_team: Any, manager: Any) -> dict[str, Any]:
    """Vendor A works English flags (queue flags-a), vendor B German ones (flags-b)."""
    teams = {}
    for slug, team, language in (("flags-a", "Vendor A", "en"), ("flags-b", "Vendor B", "de")):
        teams[team] = make_team(team, kind="vendor")
        r = client.post(f"{API}/queues", headers=manager.headers, json={
            "slug": slug, "name": slug, "team": team, "kinds": ["flag"], "tier": 1,
            "languages": [language], "position": 1})
        assert r.status_code == 201, r.text
    return teams


def table_before(table: Any, *added: str) -> Any:
    """``table`` as it stood before a migration added the columns ``added``: Core inserts into
    a database downgraded past that migration must not name (or default) them."""
    from sqlalchemy import MetaData, Table

    return Table(table.name, MetaData(),
                 *[c._copy() for c in table.columns if c.name not in added])


def plant_finding(db: Any, case_id: int | None, refs: list[str], *, key: str,
                  kind: str = "duplicates", extra: Sequence[str] = ()) -> int:
    """Reviews ``refs`` (and ``extra`` ones no finding names) that a finding held by the case
    names, as the signals would leave them; the finding's id."""
    from integrity_desk.db import utcnow
    from integrity_desk.signals.models import Signal, SignalSubject
    from integrity_desk.subjects.models import Review

    now = utcnow()
    with db.session() as s:
        reviews = [Review(ref=ref, text=f"Paid review {ref}", status="published") for ref in refs]
        s.add_all(reviews + [Review(ref=ref, text=f"Review {ref}", status="published")
                             for ref in extra])
        s.flush()
        signal = Signal(kind=kind, key=key, score=0.9, explanation="Copies of one text.",
                        evidence={}, first_seen_at=now, last_seen_at=now, case_id=case_id)
        s.add(signal)
        s.flush()
        s.add_all([SignalSubject(signal_id=signal.id, subject_type="review", subject_id=r.id)
                   for r in reviews])
        return signal.id
