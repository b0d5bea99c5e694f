"""The axe-core accessibility scan, run inside the page under test.

axe is loaded as an init script of the browser context (the DevTools protocol injects it, so
the desk's Content-Security-Policy, which forbids any script but its own, stays on for the
page itself), and ``scan`` reports the violations of impact serious or critical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = {"serious", "critical"}


def install(context: Any) -> None:
    """Make axe available on every page this browser context opens from now on."""
    context.add_init_script(script=AXE)


def scan(page: Any) -> list[str]:
    """The serious and critical violations on the page as it is now, one line per node."""
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'best-practice']}})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {node['target']}"
            for v in result["violations"] if v["impact"] in BLOCKING
            for node in v["nodes"]]
