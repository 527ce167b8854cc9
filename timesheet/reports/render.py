"""Show a WeekTable: Discord-sized text messages, the pinned CSV format, and a PNG chart
(drawn by `timesheet.reports.chart`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date
from typing import Final

from timesheet.reports.aggregate import TOTAL, WeekTable
from timesheet.reports.amounts import ClientAmount, amount_lines
from timesheet.reports.chart import CHART_CLIENTS_MAX, render_png
from timesheet.reports.wording import moment_text
from timesheet.text import pack_lines, split_hard

__all__ = [
    "CHART_CLIENTS_MAX",
    "MESSAGE_LIMIT",
    "as_of_line",
    "csv_text",
    "footnotes",
    "render_csv",
    "render_messages",
    "render_png",
    "render_table",
    "render_text",
    "spreadsheet_safe",
]

MESSAGE_LIMIT: Final = 2000
WIDE_TABLE_MAX: Final = 60  # wider than this, days become columns and clients rows
_NAME_COLUMN_MAX: Final = 30  # longer client names get lines of their own, never cut
_FENCE: Final = "```"
_MARKDOWN: Final = frozenset("\\*_~`|[]")
#: A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_CSV_SPECIAL: Final = frozenset(',"\r\n')
_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def spreadsheet_safe(cell: str) -> str:
    """``cell`` as text a spreadsheet will not run: one starting with ``= + - @``, a tab or a
    CR gets a leading ``'`` (OWASP's advice against CSV injection). A plain number such as
    ``-1.50`` is left as it is: it is no formula, and must stay a number."""
    if cell.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """Every CSV timetrack writes: each cell through ``spreadsheet_safe`` (client names come
    from people and from Notion), quoted per RFC 4180 when it holds a comma, a quote, a CR or
    a LF, and lines ending with ``\\n``. (The csv module leaves a lone CR unquoted when lines
    end with LF, and readers then split the row there.)"""
    return "".join(",".join(_csv_cell(cell) for cell in row) + "\n" for row in rows)


def _csv_cell(cell: str) -> str:
    text = spreadsheet_safe(cell)
    if any(ch in text for ch in _CSV_SPECIAL):
        return '"' + text.replace('"', '""') + '"'
    return text


def render_csv(table: WeekTable) -> str:
    """The pinned CSV: ``day,<client>,...,Total``, one ``YYYY-MM-DD`` row per day, a ``Total`` row.

    A longer period has ``week`` rows (``2026-W47``) or ``month`` rows (``2026-11``) instead
    (``table.bucket``). Hours have two decimals, lines end with ``\\n``, names are quoted per
    RFC 4180 when needed and never start a formula (``csv_text``).
    """
    rows: list[list[str]] = [[table.bucket, *table.clients, TOTAL]]
    labels = [*table.row_labels, TOTAL]
    for label, row in zip(labels, table.shown.to_numpy(dtype=float), strict=True):
        rows.append([label, *(f"{value:.2f}" for value in row)])
    return csv_text(rows)


def render_table(table: WeekTable) -> str:
    """Only the monospaced table (no heading, no code fence), e.g. for an embed description.

    A table too wide for one is several, each with some of the clients (the last with Total).
    """
    return "\n\n".join(
        "\n".join([*header, *(line for unit in units for line in unit)])
        for header, units in _layouts(table)
    )


def render_text(
    table: WeekTable,
    title: str | None = None,
    *,
    amounts: Mapping[str, ClientAmount] | None = None,
) -> str:
    """The whole report as plain text for a terminal: heading, table, footnotes (with an
    amount per client when ``amounts`` are given)."""
    footer = footnotes(table, amounts)
    parts = [_heading(table, title, markdown=False), "", render_table(table)]
    return "\n".join([*parts, *([""] if footer else []), *footer]) + "\n"


def render_messages(
    table: WeekTable,
    title: str | None = None,
    limit: int = MESSAGE_LIMIT,
    *,
    amounts: Mapping[str, ClientAmount] | None = None,
) -> list[str]:
    """The report as Discord messages of at most ``limit`` characters each.

    The heading uses ``title`` (default ``table.title``). The table is a monospaced code block;
    with many clients it is transposed (clients as rows) and split between rows into several
    blocks, each repeating the header; footnotes follow. Nothing is cut.
    """
    heading = _heading(table, title, markdown=True)
    footer = [_escape_markdown(line) for line in footnotes(table, amounts)]
    blocks = [block for layout in _layouts(table) for block in _code_blocks(*layout, limit)]
    return pack_lines([heading, *blocks, *footer], limit)


def _heading(table: WeekTable, title: str | None, *, markdown: bool) -> str:
    text = table.title if title is None else title
    if markdown:
        text = f"**{_escape_markdown(text)}**"
    entries = "entry" if table.entry_count == 1 else "entries"
    return f"{text} · {table.tz.key} · {table.shown_total:.2f} h from {table.entry_count} {entries}"


def as_of_line(table: WeekTable) -> str:
    """When the table's entries were read, and whether its period was over by then:
    ``"As of Sun 22 Nov 2026 09:00 Europe/London: the week so far."``."""
    over = table.as_of.astimezone(UTC) >= table.period.end.astimezone(UTC)
    span = "week" if table.is_week else "period"
    scope = f"the whole {span}" if over else f"the {span} so far"
    return f"As of {moment_text(table.as_of, table.tz, year=True)} {table.tz.key}: {scope}."


def footnotes(table: WeekTable, amounts: Mapping[str, ClientAmount] | None = None) -> list[str]:
    """The lines under a table: running timers, rounding, its notes (findings, skipped pages,
    DST days, targets), then amounts when given."""
    lines = []
    if table.running:
        as_of = moment_text(table.as_of, table.tz)
        lines.append(f"Marked *: still running, counted up to {as_of}.")
    if table.round_minutes:
        how = "to the nearest" if table.rounding == "nearest" else f"{table.rounding} to"
        lines.append(
            f"Each cell rounded {how} {table.round_minutes} min; totals add up the shown cells."
        )
    lines += [f"• {note}" for note in table.notes]
    lines += [f"• {line}" for line in amount_lines(amounts or {})]
    return lines


def _cell(value: float) -> str:
    return f"{value:.2f}" if value else "-"


def _client_label(table: WeekTable, client: str) -> str:
    return f"{client}*" if client in table.running else client


def _day_label(day: date) -> str:
    return f"{day:%a} {day.day:>2} {day:%b}"


Layout = tuple[list[str], list[list[str]]]  # header lines, row units (never split across blocks)


def _layouts(table: WeekTable) -> list[Layout]:
    """The table as one layout, or as several side by side when the clients don't fit across.

    A week (7 day rows) keeps its layout: clients as columns, or as rows when that is too wide.
    A longer table keeps its rows as rows (31 days or 12 months don't fit across) and splits
    the client columns into groups of at most ``WIDE_TABLE_MAX`` characters; Total comes last.
    """
    if table.bucket == "day" and len(table.days) <= 7:
        return [_layout(table)]
    names, _, grid, first = _row_grid(table)
    widths = [max(len(name), *(len(row[j]) for row in grid)) for j, name in enumerate(names)]
    groups: list[list[int]] = [[]]
    width = first
    for j, column in enumerate(widths):
        if groups[-1] and width + 2 + column > WIDE_TABLE_MAX:
            groups.append([])
            width = first
        groups[-1].append(j)
        width += 2 + column
    return [_days_as_rows(table, group) for group in groups]


def _layout(table: WeekTable) -> Layout:
    """Header lines and row units of the best layout for a week."""
    header, units = _days_as_rows(table)
    if max(len(line) for line in header) <= WIDE_TABLE_MAX:
        return header, units
    return _clients_as_rows(table)


def _row_texts(table: WeekTable) -> list[str]:
    """Row labels: ``Mon 16 Nov``, ``2026-W47 16 Nov`` (with its first day) or ``Nov 2026``."""
    if table.bucket == "day":
        return [_day_label(first) for first in table.days]
    if table.bucket == "month":
        return [f"{first:%b %Y}" for first in table.days]
    return [
        f"{label} {first.day:>2} {first:%b}"
        for label, first in zip(table.row_labels, table.days, strict=True)
    ]


def _row_grid(table: WeekTable) -> tuple[list[str], list[str], list[list[str]], int]:
    """Column names, row labels, the cells as text, and the width of the label column."""
    names = [*(_client_label(table, c) for c in table.clients), TOTAL]
    labels = [*_row_texts(table), TOTAL]
    grid = [[_cell(v) for v in row] for row in table.shown.to_numpy(dtype=float).tolist()]
    grid[-1][-1] = f"{table.shown_total:.2f}"
    first = max(len(table.bucket), *(len(label) for label in labels))
    return names, labels, grid, first


def _days_as_rows(table: WeekTable, columns: Sequence[int] | None = None) -> Layout:
    """Rows as rows and the ``columns`` (indexes of clients then Total; default all) across."""
    names, labels, grid, first = _row_grid(table)
    if columns is not None:
        names = [names[j] for j in columns]
        grid = [[row[j] for j in columns] for row in grid]
    widths = [max(len(name), *(len(row[j]) for row in grid)) for j, name in enumerate(names)]

    def line(label: str, cells: Sequence[str]) -> str:
        parts = [label.ljust(first), *(c.rjust(w) for c, w in zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    head = line(table.bucket.capitalize(), names)
    rule = "-" * len(head)
    units = [[line(label, row)] for label, row in zip(labels[:-1], grid[:-1], strict=True)]
    units.append([rule, line(TOTAL, grid[-1])])
    return [head, rule], units


def _clients_as_rows(table: WeekTable) -> Layout:
    days = table.days
    frame = table.shown.T  # clients (then Total) × days (then Total)
    grid = [[_cell(v) for v in row] for row in frame.to_numpy(dtype=float).tolist()]
    grid[-1][-1] = f"{table.shown_total:.2f}"
    tops = [f"{day:%a}" for day in days] + [TOTAL]
    bottoms = [str(day.day) for day in days] + [""]
    widths = [
        max(len(t), len(b), *(len(row[j]) for row in grid))
        for j, (t, b) in enumerate(zip(tops, bottoms, strict=True))
    ]
    labels = [_client_label(table, c) for c in table.clients]
    first = max(len("Client"), len(TOTAL), *(min(len(n), _NAME_COLUMN_MAX) for n in labels))

    def line(label: str, cells: Sequence[str]) -> str:
        parts = [label.ljust(first), *(c.rjust(w) for c, w in zip(cells, widths, strict=True))]
        return " ".join(parts).rstrip()

    head = [line("Client", tops), line("", bottoms)]
    rule = "-" * len(head[0])
    units = []
    for name, row in zip(labels, grid[:-1], strict=True):
        if len(name) <= first:
            units.append([line(name, row)])
        else:
            units.append([name, line("", row)])
    units.append([rule, line(TOTAL, grid[-1])])
    return [*head, rule], units


def _code_blocks(header: list[str], units: list[list[str]], limit: int) -> list[str]:
    """Pack row units into code blocks of at most ``limit`` characters, header in each.

    A unit too big for one block (only possible with absurdly long client names) is broken
    into lines, and lines into pieces, that continue in the next block: split, never cut.
    """
    overhead = len(_FENCE) * 2 + 2  # "```\n" ... "\n```"
    header_size = sum(len(line) + 1 for line in header) - 1
    room = limit - overhead - header_size - 1  # for the lines of one unit after the header
    if room < 1:
        raise ValueError(f"a message limit of {limit} cannot hold the table header")
    blocks: list[list[str]] = []
    size = 0
    for unit in _fitted(units, room):
        unit_size = sum(len(line) + 1 for line in unit)
        if not blocks or size + unit_size > limit - overhead:
            blocks.append(list(header))
            size = header_size
        blocks[-1].extend(unit)
        size += unit_size
    return [f"{_FENCE}\n" + "\n".join(block) + f"\n{_FENCE}" for block in blocks]


def _fitted(units: list[list[str]], room: int) -> list[list[str]]:
    fitted = []
    for unit in units:
        if sum(len(line) + 1 for line in unit) <= room + 1:
            fitted.append(unit)
        else:
            fitted += [[piece] for line in unit for piece in split_hard(line, room)]
    return fitted


def _escape_markdown(text: str) -> str:
    """Client names and notes are shown literally outside the code block."""
    return "".join("\\" + ch if ch in _MARKDOWN else ch for ch in text)
