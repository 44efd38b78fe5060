"""Server-rendered SVG charts: horizontal bars with 95% interval whiskers.

Each row is the unit's whole name on a line of its own, then its bar below across the full
width, so long names ("Trung tâm phục vụ hành chính công xã …") are never cut and the chart
stays readable when a phone shrinks it.

Hand-written SVG, inlined in the page: no script, no style attributes (the CSP forbids
inline styles), every text escaped. Works without JavaScript and prints well.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from .exports.tables import number, show

WIDTH = 720
LABEL_WIDTH = 0
VALUE_WIDTH = 64
ROW_HEIGHT = 46
LABEL_SIZE = 15
TOP = 8
AXIS_HEIGHT = 26
_ids = itertools.count(1)


@dataclass(frozen=True)
class ChartRow:
    """One bar: a label, the index and its interval in percent (None when undefined)."""

    label: str
    index: float | None
    low: float | None = None
    high: float | None = None


def interval_chart(rows: Sequence[ChartRow], title: str) -> Markup:
    """An accessible SVG of ``rows`` (0–100%) with whiskers for the intervals."""
    chart_id = f"chart-{next(_ids)}"
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + ROW_HEIGHT * len(rows) + AXIS_HEIGHT

    def x(value: float) -> float:
        return round(LABEL_WIDTH + plot * min(max(value, 0.0), 100.0) / 100.0, 2)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-labelledby="{chart_id}">',
             f'<title id="{chart_id}">{escape(title)}</title>']
    axis_y = TOP + ROW_HEIGHT * len(rows)
    for tick in range(0, 101, 20):
        parts.append(f'<line x1="{x(tick)}" y1="{TOP}" x2="{x(tick)}" y2="{axis_y}" '
                     'stroke="#d0d0d0" stroke-width="1"/>')
        parts.append(f'<text x="{x(tick)}" y="{axis_y + 16}" font-size="12" '
                     f'text-anchor="middle" fill="#555">{tick}%</text>')
    for position, row in enumerate(rows):
        top = TOP + ROW_HEIGHT * position
        parts.append(f'<text x="0" y="{top + LABEL_SIZE}" font-size="{LABEL_SIZE}" '
                     f'fill="#1a1a1a">{escape(row.label)}</text>')
        top += LABEL_SIZE + 2  # the bar below the name
        middle = top + (ROW_HEIGHT - LABEL_SIZE - 2) / 2
        index, low, high = number(row.index), number(row.low), number(row.high)
        if index is None:
            parts.append(f'<text x="{x(0) + 4}" y="{middle + 5}" font-size="{LABEL_SIZE}" '
                         'fill="#555">— (chưa có dữ liệu)</text>')
            continue
        parts.append(f'<rect x="{x(0)}" y="{top + 4}" width="{round(x(index) - x(0), 2)}" '
                     f'height="{ROW_HEIGHT - LABEL_SIZE - 2 - 8}" fill="#7aa6d6"/>')
        if low is not None and high is not None:
            parts.append(f'<line x1="{x(low)}" y1="{middle}" x2="{x(high)}" y2="{middle}" '
                         'stroke="#1a1a1a" stroke-width="1.5"/>')
            for end in (low, high):
                parts.append(f'<line x1="{x(end)}" y1="{middle - 6}" x2="{x(end)}" '
                             f'y2="{middle + 6}" stroke="#1a1a1a" stroke-width="1.5"/>')
        parts.append(f'<text x="{WIDTH - 4}" y="{middle + 5}" font-size="{LABEL_SIZE}" '
                     f'text-anchor="end" fill="#1a1a1a">{escape(show(index))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every text part above is escaped
