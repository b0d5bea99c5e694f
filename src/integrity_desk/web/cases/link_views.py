"""Links into the case list: the one way a page that shows a number opens the cases behind it
(the list's query parameters are docs/console.md's)."""

from __future__ import annotations

from urllib.parse import urlencode


def cases_link(**params: str) -> str:
    """The case list filtered by these parameters (in a stable order)."""
    return "/cases" + (f"?{urlencode(params)}" if params else "")
