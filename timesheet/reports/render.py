"""Show a WeekTable: Discord-sized text messages, the pinned CSV format, and a PNG chart."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Final

from timesheet.reports.aggregate import TOTAL, WeekTable
from timesheet.reports.amounts import ClientAmount, amount_lines
from timesheet.reports.week import local_midnight
from timesheet.text import clip, pack_lines, split_hard

__all__ = [
    "CHART_CLIENTS_MAX",
    "MESSAGE_LIMIT",
    "as_of_line",
    "csv_text",
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
CHART_CLIENTS_MAX: Final = 12  # more clients than this: the smallest share one "Other" colour
_LEGEND_NAME_MAX: Final = 32
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

    Hours have two decimals, lines end with ``\\n``, names are quoted per RFC 4180 when needed
    and never start a formula (``csv_text``).
    """
    rows: list[list[str]] = [["day", *table.clients, TOTAL]]
    for label, row in zip(table.shown.index, table.shown.to_numpy(dtype=float), strict=True):
        day = label.isoformat() if isinstance(label, date) else TOTAL
        rows.append([day, *(f"{value:.2f}" for value in row)])
    return csv_text(rows)


def render_table(table: WeekTable) -> str:
    """Only the monospaced table (no heading, no code fence), e.g. for an embed description."""
    header, units = _layout(table)
    return "\n".join([*header, *(line for unit in units for line in unit)])


def render_text(
    table: WeekTable,
    title: str | None = None,
    *,
    amounts: Mapping[str, ClientAmount] | None = None,
) -> str:
    """The whole report as plain text for a terminal: heading, table, footnotes (with an
    amount per client when ``amounts`` are given)."""
    footer = _footer(table, amounts)
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
    header, units = _layout(table)
    heading = _heading(table, title, markdown=True)
    footer = [_escape_markdown(line) for line in _footer(table, amounts)]
    return pack_lines([heading, *_code_blocks(header, units, limit), *footer], limit)


def _heading(table: WeekTable, title: str | None, *, markdown: bool) -> str:
    text = table.title if title is None else title
    if markdown:
        text = f"**{_escape_markdown(text)}**"
    entries = "entry" if table.entry_count == 1 else "entries"
    return f"{text} · {table.tz.key} · {table.shown_total:.2f} h from {table.entry_count} {entries}"


def as_of_line(table: WeekTable) -> str:
    """When the table's entries were read, and whether its period was over by then:
    ``"As of Sun 22 Nov 2026 09:00 Europe/London: the week so far."``."""
    as_of = table.as_of.astimezone(table.tz)
    over = table.as_of.astimezone(UTC) >= table.period.end.astimezone(UTC)
    scope = "the whole week" if over else "the week so far"
    return f"As of {_moment(as_of, year=True)} {table.tz.key}: {scope}."


def _moment(local: datetime, *, year: bool = False) -> str:
    day = f"{local:%a} {local.day} {local:%b}" + (f" {local:%Y}" if year else "")
    return f"{day} {local:%H:%M}"


def _footer(table: WeekTable, amounts: Mapping[str, ClientAmount] | None = None) -> list[str]:
    lines = []
    if table.running:
        as_of = table.as_of.astimezone(table.tz)
        lines.append(f"Marked *: still running, counted up to {_moment(as_of)}.")
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


def _layout(table: WeekTable) -> tuple[list[str], list[list[str]]]:
    """Header lines and row units (a unit is never split across blocks) of the best layout."""
    header, units = _days_as_rows(table)
    if max(len(line) for line in header) <= WIDE_TABLE_MAX:
        return header, units
    return _clients_as_rows(table)


def _days_as_rows(table: WeekTable) -> tuple[list[str], list[list[str]]]:
    names = [*(_client_label(table, c) for c in table.clients), TOTAL]
    labels = [_day_label(day) for day in table.days] + [TOTAL]
    grid = [[_cell(v) for v in row] for row in table.shown.to_numpy(dtype=float).tolist()]
    grid[-1][-1] = f"{table.shown_total:.2f}"
    first = max(len("Day"), *(len(label) for label in labels))
    widths = [max(len(name), *(len(row[j]) for row in grid)) for j, name in enumerate(names)]

    def line(label: str, cells: Sequence[str]) -> str:
        parts = [label.ljust(first), *(c.rjust(w) for c, w in zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    head = line("Day", names)
    rule = "-" * len(head)
    units = [[line(label, row)] for label, row in zip(labels[:-1], grid[:-1], strict=True)]
    units.append([rule, line(TOTAL, grid[-1])])
    return [head, rule], units


def _clients_as_rows(table: WeekTable) -> tuple[list[str], list[list[str]]]:
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


def render_png(table: WeekTable, *, dpi: int = 110) -> bytes:
    """A stacked bar chart (hours per day, one colour per client, day totals on top) as PNG.

    Past ``CHART_CLIENTS_MAX`` clients the smallest ones are stacked as one grey "Other" bar
    segment so the chart stays readable (the table and CSV keep every client). matplotlib is
    imported here, not at module import, so the bot starts fast; the figure is drawn on an Agg
    canvas directly, without pyplot's global state.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    days = table.days
    series = _chart_series(table)
    fig = Figure(figsize=(11, 5.8), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = np.arange(len(days))
    bottom = np.zeros(len(days))
    for label, values, color in series:
        ax.bar(
            x,
            values,
            0.68,
            bottom=bottom,
            label=label,
            color=color,
            edgecolor="white",
            linewidth=0.8,
            zorder=3,
        )
        bottom += values

    totals = table.shown[TOTAL].to_numpy(dtype=float)[: len(days)]
    ax.set_ylim(0, max(float(totals.max(initial=0.0)) * 1.15, 1.0))
    for xi, total in zip(x.tolist(), totals.tolist(), strict=True):
        if total > 0:
            ax.annotate(
                f"{total:.2f} h",
                (xi, total),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=10,
                fontweight="bold",
                color="#222222",
            )
    if not series:
        ax.text(
            0.5,
            0.5,
            "No time recorded",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=14,
            color="#777777",
        )

    ax.set_xticks(x, [_tick_label(day, table) for day in days])
    ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylabel("Hours")
    ax.set_title(table.title, loc="left", fontsize=14, fontweight="bold")
    ax.set_title(
        f"{table.shown_total:.2f} h · {table.tz.key}", loc="right", fontsize=11, color="#555555"
    )
    ax.grid(axis="y", color="#dddddd", linewidth=0.8, zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", length=0)
    if series:
        handles, labels = ax.get_legend_handles_labels()
        # Reversed so the legend reads top to bottom like the stacks.
        ax.legend(
            handles[::-1],
            labels[::-1],
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
            fontsize=9,
            title="Client",
            alignment="left",
        )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _chart_series(table: WeekTable) -> list[tuple[str, list[float], str]]:
    """(legend label, hours per day, colour) bottom to top: clients alphabetically, then Other."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    tab20 = colormaps["tab20"]
    # tab10's hues then their light variants, without the greys (grey means "Other").
    order = [i for i in [*range(0, 20, 2), *range(1, 20, 2)] if i not in (14, 15)]
    palette = [to_hex(tab20(i)) for i in order]
    body = table.shown.iloc[: len(table.days)]
    clients = table.clients
    if len(clients) > CHART_CLIENTS_MAX:
        week_hours = dict(
            zip(clients, table.shown.to_numpy(dtype=float)[-1].tolist(), strict=False)
        )
        by_size = sorted(clients, key=lambda c: -week_hours[c])
        kept = set(by_size[: CHART_CLIENTS_MAX - 1])
        others = [c for c in clients if c not in kept]
        clients = [c for c in clients if c in kept]
    else:
        others = []
    series = []
    for client, colour in zip(clients, palette, strict=False):
        name = clip(client, _LEGEND_NAME_MAX)
        label = f"{name} (running)" if client in table.running else name
        series.append((label, body[client].to_numpy(dtype=float).tolist(), colour))
    if others:
        rest = body[others].to_numpy(dtype=float).sum(axis=1).tolist()
        series.append((f"Other ({len(others)} clients)", rest, "#9e9e9e"))
    return series


def _tick_label(day: date, table: WeekTable) -> str:
    label = f"{day:%a}\n{day.day} {day:%b}"
    hours = _day_length_hours(day, table)
    return label if hours == 24 else f"{label}\n({hours:g} h day)"


def _day_length_hours(day: date, table: WeekTable) -> float:
    start = local_midnight(day, table.tz).astimezone(UTC)
    end = local_midnight(day + timedelta(days=1), table.tz).astimezone(UTC)
    return (end - start) / timedelta(hours=1)
