"""Server-side charts: geometry for the SVG templates in `web/components/`.

Charts are drawn on the server as SVG, so dashboards work offline and without script; each chart
also renders its numbers as a visually hidden table for screen readers.
"""

from collections.abc import Sequence
from typing import Any

BAR_AREA = 150  # px of the 320 px view box left for the longest bar
ROW = 24


def bar_chart(title: str, bars: Sequence[tuple[str, int | float]]) -> dict[str, Any]:
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


LINE_WIDTH, LINE_HEIGHT, LINE_LEFT, LINE_BOTTOM = 320, 140, 44, 20
SERIES_CLASSES = ("chart-line", "chart-line second", "chart-line third")


def line_chart(
    title: str, series: Sequence[tuple[str, Sequence[tuple[Any, int | float]]]]
) -> dict[str, Any]:
    """Lines over time (one per series, sharing the x axis): SVG polyline points, the axis
    labels at both ends and the top, and the last value of each line."""
    values = [v for _name, points in series for _x, v in points]
    top = max(values, default=0) or 1
    count = max((len(points) for _name, points in series), default=0)
    width, height = LINE_WIDTH - LINE_LEFT - 8, LINE_HEIGHT - LINE_BOTTOM - 8
    lines = []
    for index, (name, points) in enumerate(series):
        step = width / max(count - 1, 1)
        coordinates = " ".join(
            f"{LINE_LEFT + i * step:.1f},{8 + height - height * v / top:.1f}"
            for i, (_x, v) in enumerate(points)
        )
        lines.append(
            {
                "name": name,
                "points": coordinates,
                "css": SERIES_CLASSES[index % len(SERIES_CLASSES)],
                "last": points[-1][1] if points else None,
                "rows": list(points),
            }
        )
    first = series[0][1] if series and series[0][1] else []
    return {
        "title": title,
        "lines": lines,
        "top": top,
        "start": first[0][0] if first else "",
        "end": first[-1][0] if first else "",
        "width": LINE_WIDTH,
        "height": LINE_HEIGHT,
        "left": LINE_LEFT,
        "baseline": LINE_HEIGHT - LINE_BOTTOM,
    }
