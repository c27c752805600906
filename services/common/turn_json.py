"""TurnEvent → (event name, contract JSON payload), shared by SSE, WebSocket and stored history."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format

from services.common.gen.trellis.v1 import turn_pb2

_AXIS = {"bar", "bar_horizontal", "stacked_bar", "line", "area"}


def chart_type_name(value: int) -> str:
    return turn_pb2.ChartType.Name(value).removeprefix("CHART_TYPE_").lower()


def visualization_json(viz: turn_pb2.Visualization) -> dict[str, Any]:
    if viz.WhichOneof("kind") == "table":
        table = viz.table
        out: dict[str, Any] = {
            "id": viz.id,
            "type": "table",
            "title": table.title,
            "headers": list(table.headers),
            "rows": [json_format.MessageToDict(row) for row in table.rows],
        }
        if table.truncated:
            out.update(truncated=True, total_rows=table.total_rows)
        return out
    chart = viz.chart
    kind = chart_type_name(chart.chart_type)
    values: list[dict[str, Any]] = []
    for point in chart.values:
        if kind in ("pie", "donut"):
            values.append({"text": point.text or point.label, "value": point.value})
        elif kind == "stacked_bar":
            values.append({"label": point.label, "series": point.series, "value": point.value})
        else:
            values.append({"label": point.label, "value": point.value})
    data: dict[str, Any] = {"values": values}
    if kind in _AXIS:
        data.update(x_axis_label=chart.x_axis_label, y_axis_label=chart.y_axis_label)
    out = {"id": viz.id, "type": "chart", "chart_type": kind, "data": data}
    if chart.title:
        out["title"] = chart.title
    return out


def error_json(err: turn_pb2.ErrorEvent) -> dict[str, Any]:
    out: dict[str, Any] = {
        "error": err.error,
        "code": err.code,
        "retryable": err.retryable,
        "debug_id": err.debug_id,
        "error_type": turn_pb2.ErrorType.Name(err.error_type).removeprefix("ERROR_TYPE_").lower(),
    }
    if err.code == "RATE_LIMIT":
        out["retry_after_seconds"] = err.retry_after_seconds
    return out


def event_json(event: turn_pb2.TurnEvent) -> tuple[str, dict[str, Any]]:
    kind = event.WhichOneof("event")
    if kind == "chat_metadata":
        return kind, {"id": event.chat_metadata.id, "user_message_id": event.chat_metadata.user_message_id}
    if kind == "processing":
        status = turn_pb2.ProcessingStatus.Name(event.processing.status).removeprefix("PROCESSING_STATUS_").lower()
        return kind, {"status": status}
    if kind == "visualization":
        return kind, visualization_json(event.visualization)
    if kind == "text_delta":
        return kind, {"content": event.text_delta.content}
    if kind == "message":
        return kind, {"content": event.message.content, "id": event.message.id}
    if kind == "error":
        return kind, error_json(event.error)
    if kind == "tool":
        return event.tool.kind, json_format.MessageToDict(event.tool.payload)
    raise ValueError(f"unknown turn event {kind!r}")
