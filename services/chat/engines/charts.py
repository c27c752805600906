"""Tables and charts (docs/api.md) from query results."""

from __future__ import annotations

import math

from google.protobuf import struct_pb2

from services.chat.engines.streaming import visualization_id
from services.chat.sql.runner import QueryResult
from services.common.gen.trellis.v1 import turn_pb2

CHART_TYPES = {
    "bar": turn_pb2.CHART_TYPE_BAR,
    "bar_horizontal": turn_pb2.CHART_TYPE_BAR_HORIZONTAL,
    "stacked_bar": turn_pb2.CHART_TYPE_STACKED_BAR,
    "line": turn_pb2.CHART_TYPE_LINE,
    "area": turn_pb2.CHART_TYPE_AREA,
    "pie": turn_pb2.CHART_TYPE_PIE,
    "donut": turn_pb2.CHART_TYPE_DONUT,
}
MAX_POINTS = 500
_LABEL_CHARS = 40


def table_visualization(result: QueryResult, title: str) -> turn_pb2.Visualization:
    table = turn_pb2.Table(title=title, headers=result.columns, truncated=result.truncated)
    if result.truncated:
        table.total_rows = result.total_rows
    for row in result.rows:
        table.rows.append(struct_pb2.ListValue(values=[_value(v) for v in row]))
    return turn_pb2.Visualization(id=visualization_id(), table=table)


def display_number(value: float) -> float:
    """A number as people read it: two decimals from 1 up, three significant digits below (no
    float noise such as 48173.54999999999); whole numbers stay whole. The exact value is the
    query's, kept with the answer's metadata where an engine records it."""
    if not math.isfinite(value) or value == 0 or float(value).is_integer():
        return float(value)
    if abs(value) >= 1:
        return round(value, 2)
    return round(value, 2 - math.floor(math.log10(abs(value))))


def _value(v: object) -> struct_pb2.Value:
    out = struct_pb2.Value()
    if v is None:
        out.null_value = struct_pb2.NULL_VALUE
    elif isinstance(v, bool):
        out.bool_value = v
    elif isinstance(v, int):
        out.number_value = float(v)
    elif isinstance(v, float):
        out.number_value = display_number(v)
    else:
        out.string_value = str(v)
    return out


def choose_chart(requested: str | None, *, time_series: bool, groups: int, points: int) -> str:
    """The chart type: what was asked for, else line for a time series, stacked bars for two
    dimensions, horizontal bars for many categories, bars otherwise."""
    if requested in CHART_TYPES:
        if requested == "stacked_bar" and groups < 2:
            return "bar"
        return requested
    if time_series and groups == 1:
        return "line"
    if groups >= 2:
        return "stacked_bar"
    return "bar_horizontal" if points > 12 else "bar"


def _label(row: list[object], idx: list[int]) -> str:
    text = " ".join("" if row[i] is None else str(row[i]) for i in idx).strip() or "(none)"
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"


def chart_visualization(
    result: QueryResult,
    *,
    chart_type: str,
    title: str,
    label_columns: list[str],
    series_columns: list[str],
    value_column: str,
    x_label: str,
    y_label: str,
) -> turn_pb2.Visualization | None:
    """A chart of `value_column` per label (and per series for stacked bars); None if nothing to draw."""
    try:
        vi = result.columns.index(value_column)
        li = [result.columns.index(c) for c in label_columns]
        si = [result.columns.index(c) for c in series_columns]
    except ValueError:
        return None
    chart = turn_pb2.Chart(chart_type=CHART_TYPES[chart_type], title=title)
    for row in result.rows[:MAX_POINTS]:
        value = row[vi]
        if isinstance(value, bool) or not isinstance(value, int | float):
            if value is None:
                value = 0
            else:
                continue
        label = _label(row, li)
        point = turn_pb2.ChartPoint(value=display_number(float(value)))
        if chart_type in ("pie", "donut"):
            point.text = label
        else:
            point.label = label
            if chart_type == "stacked_bar":
                point.series = _label(row, si) if si else value_column
        chart.values.append(point)
    if not chart.values:
        return None
    if chart_type not in ("pie", "donut"):
        chart.x_axis_label = x_label
        chart.y_axis_label = y_label
    return turn_pb2.Visualization(id=visualization_id(), chart=chart)
