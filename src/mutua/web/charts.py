"""Server-side charts: geometry for the SVG templates in `web/components/`.

Charts are drawn on the server as SVG, so dashboards work offline and without script; each chart
also renders its numbers as a visually hidden table for screen readers.
"""

from collections.abc import Sequence
from typing import Any

BAR_AREA = 150  # px of the 320 px view box left for the longest bar
ROW = 24


def bar_chart(title: str, bars: Sequence[tuple[str, int]]) -> dict[str, Any]:
    top = max((value for _, value in bars), default=0) or 1
    rows = []
    for index, (label, value) in enumerate(bars):
        width = round(BAR_AREA * value / top)
        rows.append(
            {
                "label": label,
                "value": value,
                "y": index * ROW,
                "width": width,
                "text_x": 130 + width + 6,
            }
        )
    return {"title": title, "bars": rows, "height": max(len(rows) * ROW, ROW)}
