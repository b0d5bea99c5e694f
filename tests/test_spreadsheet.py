"""CSV for spreadsheets: a typed name that a spreadsheet would run as a formula is made text;
numbers, signs included, stay numbers."""

from __future__ import annotations

import csv
import io

from integrity_desk.spreadsheet import csv_text, safe_cell


def test_formulas_become_text_and_numbers_stay_numbers() -> None:
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+cmd") == "'+cmd"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-rm") == "'-rm"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell("-1") == "-1"
    assert safe_cell("+0.5") == "+0.5"
    assert safe_cell("Acme") == "Acme"


def test_csv_text_writes_every_cell_safely() -> None:
    text = csv_text([["queue", "net flow"], ["=1+1", "-3"], ["Flags", "2"]])
    assert list(csv.reader(io.StringIO(text))) == [["queue", "net flow"], ["'=1+1", "-3"],
                                                   ["Flags", "2"]]
    assert text.endswith("\r\n")
