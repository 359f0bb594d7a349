"""CSV files people open in a spreadsheet, safe from formula injection.

OWASP (CSV Injection): a cell starting with `=`, `+`, `-`, `@`, tab or
carriage return may be run as a formula (`=HYPERLINK(...)`, `+cmd|...`,
`@SUM(...)`). Such a text cell gets a leading `'`, which spreadsheets read as
"this is text" and show without it; text is always quoted. Numbers are
written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

TRIGGERS = frozenset("=+-@\t\r")


def safe_cell(value: object) -> object:
    """`value`, with a text cell that could start a formula made plain text.
    Leading spaces and line breaks are looked through: some spreadsheets
    strip them before parsing."""
    if isinstance(value, str) and value.lstrip(" \n")[:1] in TRIGGERS:
        return "'" + value
    return value


def csv_text(rows: Iterable[Mapping[str, object]], fields: list[str]) -> str:
    """`rows` as CSV text with a header, every cell through `safe_cell`."""
    buffer = io.StringIO()
    # Text always quoted: a carriage return inside a cell is not quoted by
    # QUOTE_MINIMAL when the line terminator is "\n", and would split the row.
    writer = csv.DictWriter(
        buffer, fieldnames=fields, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(value) for key, value in row.items()})
    return buffer.getvalue()
