"""CSV files people open in a spreadsheet (the scorecard's tables, the weekly report's): one
writer, so every such file is safe to open.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (CSV injection); a queue, team or vendor name is typed by people, so such a
cell gets a leading apostrophe, which the spreadsheet shows as text. A number keeps its sign
("-1" stays a number), since a file of figures must stay computable.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def safe_cell(cell: str) -> str:
    if cell.startswith(_FORMULA) and not _is_number(cell):
        return "'" + cell
    return cell


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """The rows (the first one the headings) as CSV text, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(str(c)) for c in row])
    return out.getvalue()
