"""A CSV export of another tracker as a header and numbered rows, forgiving its variants.

Forgiven: a UTF-8 byte order mark or none, ``,`` ``;`` or tab between fields (whichever the
header line splits best on), CRLF or LF, quoted fields (with delimiters and line breaks
inside), blank lines, columns in any order, extra columns, header names in any case and
spacing. Lines are counted as a spreadsheet shows them: the header is line 1, and a row
quoted over several lines is numbered by its first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from timesheet.transfer.records import NotThisFormat, RowProblem

__all__ = ["CsvRow", "CsvTable", "column_key", "read_table"]

_DELIMITERS: Final = (",", ";", "\t")


def column_key(name: str) -> str:
    """How a header name is compared: case-folded, runs of spaces one space, stripped."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row: its first line number and its fields by column key."""

    line: int
    fields: dict[str, str]

    def get(self, column: str) -> str:
        """The field of ``column`` (a header name as documented), stripped; "" if absent."""
        return self.fields.get(column_key(column), "").strip()


@dataclass(frozen=True, slots=True)
class CsvTable:
    """The header (column keys, in file order) and the rows, or the problems they had."""

    columns: tuple[str, ...]
    rows: Sequence[CsvRow | RowProblem]

    def has(self, column: str) -> bool:
        return column_key(column) in self.columns


def read_table(data: bytes, *, what: str, required: Sequence[str]) -> CsvTable:
    """``data`` as a table; `NotThisFormat` (naming ``what`` the file should be) when it is
    not UTF-8 text or its header lacks one of the ``required`` columns (the first missing is
    named). A row with a different number of fields from the header is a `RowProblem`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotThisFormat(f"not {what}: not UTF-8 text (byte {exc.start + 1})") from None
    delimiter = _delimiter(text)
    records = _records(text, delimiter, what)
    first = next(records, None)
    if first is None:
        raise NotThisFormat(f"not {what}: the file is empty")
    columns = tuple(column_key(name) for name in first[1])
    for name in required:
        if column_key(name) not in columns:
            raise NotThisFormat(f"not {what}: no {name!r} column")
    return CsvTable(columns=columns, rows=[_row(line, f, columns) for line, f in records])


def _row(line: int, fields: list[str], columns: tuple[str, ...]) -> CsvRow | RowProblem:
    extra = fields[len(columns) :]
    if len(fields) < len(columns) or any(value.strip() for value in extra):
        return RowProblem(line, f"has {len(fields)} fields where the header has {len(columns)}")
    by_key: dict[str, str] = {}
    for key, value in zip(columns, fields, strict=False):
        by_key.setdefault(key, value)  # a repeated header name: the first column counts
    return CsvRow(line=line, fields=by_key)


def _records(text: str, delimiter: str, what: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with the number of the line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    consumed = 0
    try:
        for fields in reader:
            start, consumed = consumed + 1, reader.line_num
            if any(value.strip() for value in fields):
                yield start, fields
    except csv.Error as exc:
        # Only an unterminated quote gets here (the reader is not strict): the rest of the
        # file is one field. Report where it starts rather than guess.
        raise NotThisFormat(f"not {what}: {exc} (line {consumed + 1})") from None


def _delimiter(text: str) -> str:
    """The delimiter the header line has most fields for (``,`` on a tie)."""
    header = text.split("\n", 1)[0]
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in _DELIMITERS}
    return max(_DELIMITERS, key=lambda d: counts[d])
