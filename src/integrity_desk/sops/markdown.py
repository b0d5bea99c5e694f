"""An SOP's Markdown as safe HTML for the console.

markdown-it-py (CommonMark, already installed with ``rich``) with raw HTML switched off: any
``<script>`` or ``<img onerror>`` an author types comes out as text, and its link validation
refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` URLs. Nothing the renderer
emits carries a style or a handler, so no further sanitiser is needed (docs/decisions.md).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

# "commonmark" with html=False; tables on (a playbook's escalation matrix), typographer off.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MD.enable("table")


def render(text: str) -> Markup:
    """HTML for the template: safe to insert as is (raw HTML in the source is escaped)."""
    # Raw HTML is off: markdown-it escaped whatever the author typed.
    return Markup(_MD.render(text or ""))
