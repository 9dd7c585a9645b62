"""CSV for spreadsheets, safe to open: text that a spreadsheet would run as a formula is made inert.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (OWASP's "CSV injection"): a member's memo such as
`=HYPERLINK("https://…", "click")` would run on the treasurer's machine. Such text gets a leading
`'`, which spreadsheets show as text and do not display. A plain number (`-12.50`, `-1,234.50`)
is left as it is: it cannot be a formula, and a spreadsheet should still add it up.
"""

import re
from collections.abc import Iterable
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?")


def inert(cell: Any) -> Any:
    """`cell` as a spreadsheet should take it: text that would run as a formula gets a leading `'`;
    numbers, plain numbers in text, and anything else are returned unchanged."""
    if not isinstance(cell, str) or not cell.startswith(_FORMULA_START):
        return cell
    if _NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


def inert_rows(rows: Iterable[Iterable[Any]]) -> list[list[Any]]:
    """Every cell of `rows` through `inert`, for `csv.writer(...).writerows`."""
    return [[inert(cell) for cell in row] for row in rows]
