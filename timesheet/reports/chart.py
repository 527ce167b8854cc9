"""The PNG chart of a WeekTable: stacked bars per row (day, week or month), sized to the rows."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Final

from timesheet.reports.aggregate import TOTAL, WeekTable
from timesheet.reports.week import local_midnight
from timesheet.text import clip

__all__ = ["CHART_CLIENTS_MAX", "ChartLayout", "chart_layout", "render_png"]

CHART_CLIENTS_MAX: Final = 12  # more clients than this: the smallest share one "Other" colour
_LEGEND_NAME_MAX: Final = 32
#: Up to this many bars, the week's roomy chart; more, narrower bars, short and rotated labels.
_ROOMY_BARS: Final = 14
_WIDTH_INCHES: Final = 11.0
_MAX_WIDTH_INCHES: Final = 15.0
_INCHES_PER_EXTRA_BAR: Final = 0.4
_MAX_TICK_LABELS: Final = 40


@dataclass(frozen=True, slots=True)
class ChartLayout:
    """How the chart of a table is drawn: figure width, the ticks, the totals above the bars."""

    width: float
    ticks: list[str]
    total_labels: list[str]
    total_rotation: int
    total_fontsize: int
    tick_fontsize: int


def chart_layout(table: WeekTable) -> ChartLayout:
    """The chart's size and labels for the table's rows: the week's layout for up to 14 bars;
    more, a wider and taller figure (up to 15 × 6.5 in, so it still reads at a README's width),
    short tick labels and totals turned upright."""
    rows = table.days
    totals = table.shown[TOTAL].to_numpy(dtype=float)[: len(rows)].tolist()
    roomy = len(rows) <= _ROOMY_BARS
    extra = max(0, len(rows) - _ROOMY_BARS)
    width = min(_WIDTH_INCHES + extra * _INCHES_PER_EXTRA_BAR, _MAX_WIDTH_INCHES)
    step = -(-len(rows) // _MAX_TICK_LABELS)  # past that many bars, label every step-th
    ticks = [_tick_label(table, i, roomy=roomy) if i % step == 0 else "" for i in range(len(rows))]
    unit = " h" if roomy else ""
    labels = [f"{total:.2f}{unit}" if total > 0 else "" for total in totals]
    return ChartLayout(
        width=width,
        ticks=ticks,
        total_labels=labels,
        total_rotation=0 if roomy else 90,
        total_fontsize=10 if roomy else 9,
        tick_fontsize=10 if roomy else 9,
    )


def render_png(table: WeekTable, *, dpi: int = 110) -> bytes:
    """A stacked bar chart (hours per row, one colour per client, row totals on top) as PNG.

    Past ``CHART_CLIENTS_MAX`` clients the smallest ones are stacked as one grey "Other" bar
    segment so the chart stays readable (the table and CSV keep every client). matplotlib is
    imported here, not at module import, so the bot starts fast; the figure is drawn on an Agg
    canvas directly, without pyplot's global state.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = table.days
    layout = chart_layout(table)
    series = _chart_series(table)
    height = 5.8 if layout.width <= _WIDTH_INCHES else 6.5
    fig = Figure(figsize=(layout.width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = np.arange(len(rows))
    bottom = np.zeros(len(rows))
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

    totals = table.shown[TOTAL].to_numpy(dtype=float)[: len(rows)]
    headroom = 1.15 if layout.total_rotation == 0 else 1.25
    ax.set_ylim(0, max(float(totals.max(initial=0.0)) * headroom, 1.0))
    for xi, total, text in zip(x.tolist(), totals.tolist(), layout.total_labels, strict=True):
        if text:
            ax.annotate(
                text,
                (xi, total),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                rotation=layout.total_rotation,
                fontsize=layout.total_fontsize,
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

    ax.set_xticks(x, layout.ticks, fontsize=layout.tick_fontsize)
    ax.set_xlim(-0.6, len(rows) - 0.4)
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
    """(legend label, hours per row, colour) bottom to top: clients alphabetically, then Other."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    tab20 = colormaps["tab20"]
    # tab10's hues then their light variants, without the greys (grey means "Other").
    order = [i for i in [*range(0, 20, 2), *range(1, 20, 2)] if i not in (14, 15)]
    palette = [to_hex(tab20(i)) for i in order]
    body = table.shown.iloc[: len(table.days)]
    clients = table.clients
    if len(clients) > CHART_CLIENTS_MAX:
        period_hours = dict(
            zip(clients, table.shown.to_numpy(dtype=float)[-1].tolist(), strict=False)
        )
        by_size = sorted(clients, key=lambda c: -period_hours[c])
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


def _tick_label(table: WeekTable, i: int, *, roomy: bool) -> str:
    first = table.days[i]
    if table.bucket == "month":
        return f"{first:%b}\n{first:%Y}" if roomy or i == 0 or first.month == 1 else f"{first:%b}"
    if table.bucket == "week":
        week = table.row_labels[i].split("-")[1]  # "W47"
        return f"{week}\n{first.day} {first:%b}"
    if not roomy:  # a month of days: weekday initials, the month on its first day
        month = f"\n{first:%b}" if i == 0 or first.day == 1 else ""
        return f"{first:%a}"[:2] + f"\n{first.day}{month}"
    label = f"{first:%a}\n{first.day} {first:%b}"
    hours = _day_length_hours(first, table)
    return label if hours == 24 else f"{label}\n({hours:g} h day)"


def _day_length_hours(day: date, table: WeekTable) -> float:
    start = local_midnight(day, table.tz).astimezone(UTC)
    end = local_midnight(day + timedelta(days=1), table.tz).astimezone(UTC)
    return (end - start) / timedelta(hours=1)
