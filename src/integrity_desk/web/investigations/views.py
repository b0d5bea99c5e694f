"""What the workspace page shows, built from investigations.workspace's read (no queries).

The graph and the timeline go to the browser as JSON in their holders' ``data-`` attributes
(a ``<script type="application/json">`` island would not survive htmx's swap after a change of
members: the console's htmx drops script elements from swapped content); the page's own
tables hold the same facts for everyone, so a drawing is never the only
place a fact is: the graph's twin is a keyboard-reachable list of accounts and businesses with
their links, the chart's a table of days.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from integrity_desk.investigations.workspace import Member, Workspace

PAGE = 200
SORTS = {"strength": "strongest finding", "type": "kind", "ref": "reference",
         "published": "published"}
KIND_WORDS = {"burst": "burst", "duplicates": "copied text", "ring": "ring",
              "reviewer_risk": "risky account"}


@dataclass(frozen=True)
class MembersView:
    rows: list[Member]
    total: int
    page: int
    pages: int
    sort: str


def sorted_members(space: Workspace, sort: str, page: int) -> MembersView:
    """One page of the members table in the chosen order (strongest finding first by
    default)."""
    rows = space.members
    if sort == "type":
        rows = sorted(rows, key=lambda m: (m.type, m.ref))
    elif sort == "ref":
        rows = sorted(rows, key=lambda m: m.ref)
    elif sort == "published":
        rows = sorted(rows, key=lambda m: (m.review is None or m.review.published_at is None,
                                           m.review.published_at if m.review else None
                                           or 0, m.ref))
    pages = max(1, -(-len(rows) // PAGE))
    page = min(max(page, 1), pages)
    return MembersView(rows[(page - 1) * PAGE: page * PAGE], len(rows), page, pages, sort)


def graph_json(space: Workspace) -> str:
    """Cytoscape's elements: nodes then edges."""
    elements: list[dict[str, Any]] = [
        {"data": {"id": n.id, "label": n.label, "kind": n.kind, "reviews": n.reviews,
                  "member": n.member}} for n in space.nodes]
    elements += [{"data": {"id": f"{e.source}-{e.target}", "source": e.source,
                           "target": e.target, "kind": e.kind, "weight": e.weight}}
                 for e in space.edges]
    return _island(elements)


def links_of(space: Workspace) -> dict[str, list[tuple[str, str, int]]]:
    """Each node's links for the list twin: (other node's id, its label, weight)."""
    labels = {n.id: n.label for n in space.nodes}
    out: dict[str, list[tuple[str, str, int]]] = {n.id: [] for n in space.nodes}
    for e in space.edges:
        out[e.source].append((e.target, labels.get(e.target, e.target), e.weight))
        out[e.target].append((e.source, labels.get(e.source, e.source), e.weight))
    for links in out.values():
        links.sort(key=lambda link: (-link[2], link[1]))
    return out


def timeline_json(space: Workspace) -> str:
    return _island({"days": [d.day.isoformat() for d in space.days],
                    "in_case": [d.in_case for d in space.days],
                    "around": [d.around for d in space.days],
                    "burst": [d.in_case if d.burst else None for d in space.days]})


def _island(value: Any) -> str:
    """Compact JSON; the template escapes it into its attribute."""
    return json.dumps(value, separators=(",", ":"))


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind)
