"""The same question gives the same event sequence over gRPC, SSE and WebSocket."""

from __future__ import annotations

import pytest

from tests.helpers import add_integration, chat_messages, create_chat, demo_chat
from tests.turn_clients import grpc_turn, sse_turn, ws_turn

pytestmark = pytest.mark.storage


def _turn(transport: str, stack, token: str, body: dict) -> list[tuple[str, dict]]:
    if transport == "grpc":
        return grpc_turn(stack, token, body)
    if transport == "sse":
        resp, events = sse_turn(stack.gateway_url, token, body)
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
        return events
    return ws_turn(stack.gateway_url, token, body)


def _shape(events: list[tuple[str, dict]]) -> list[tuple[str, object]]:
    """Event types with their payload keys (ids and timing differ between runs)."""
    out = []
    for name, data in events:
        if name == "processing":
            out.append((name, data["status"]))
        elif name == "text_delta":
            out.append((name, "delta"))
        elif name == "visualization":
            out.append((name, (data["type"], tuple(data["headers"]), len(data["rows"]))))
        else:
            out.append((name, tuple(sorted(data))))
    return out


def _check_order(events: list[tuple[str, dict]]) -> None:
    names = [name for name, _ in events]
    assert names[0] == "chat_metadata" and events[1] == ("processing", {"status": "starting"})
    assert names[-1] == "message" and names.count("message") == 1 and "error" not in names
    first_output = min(i for i, n in enumerate(names) if n in ("text_delta", "visualization"))
    assert "processing" not in names[first_output:]  # no progress after the answer began
    deltas = "".join(data["content"] for name, data in events if name == "text_delta")
    assert deltas == events[-1][1]["content"]  # deltas concatenate exactly to the message


@pytest.mark.parametrize("question", ["How many rows are in customers?", "show me the regions"])
def test_same_sequence_over_grpc_sse_and_websocket(stack, org, question) -> None:
    integration = add_integration(stack, org.id)
    token = org.token()
    shapes = {}
    with org.client() as http:
        for transport in ("grpc", "sse", "ws"):
            chat = create_chat(http, integration_id=integration)
            events = _turn(transport, stack, token, {"chat_id": chat["id"], "message": question})
            _check_order(events)
            assert events[0][1]["id"] == chat["id"]
            shapes[transport] = _shape(events)
            history = chat_messages(http, chat["id"])
            assert [m["role"] for m in history] == ["user", "assistant"]
            assert history[0]["id"] == events[0][1]["user_message_id"] and history[0]["content"] == question
            assert history[1]["id"] == events[-1][1]["id"] and history[1]["content"] == events[-1][1]["content"]
            visualizations = [data for name, data in events if name == "visualization"]
            assert history[1]["metadata"]["visualizations"] == visualizations
    assert shapes["grpc"] == shapes["sse"] == shapes["ws"]


def test_answers_use_the_real_database(stack, org) -> None:
    with demo_chat(stack, org) as (_, chat_id):
        _, events = sse_turn(stack.gateway_url, org.token(), {"chat_id": chat_id, "message": "how many orders"})
        assert "**orders** table has 4,000 rows" in events[-1][1]["content"]
        _, events = sse_turn(stack.gateway_url, org.token(), {"chat_id": chat_id, "message": "show regions"})
        table = next(data for name, data in events if name == "visualization")
        assert table["type"] == "table" and table["headers"] == ["id", "name"] and len(table["rows"]) == 4
        assert len(table["id"]) == 10 and table["id"].isalnum() and table["id"].lower() == table["id"]


def test_a_question_it_cannot_map_gets_suggestions(stack, org) -> None:
    with demo_chat(stack, org) as (_, chat_id):
        _, events = sse_turn(stack.gateway_url, org.token(), {"chat_id": chat_id, "message": "why is the sky blue"})
    assert events[-1][0] == "message" and "I can answer questions such as" in events[-1][1]["content"]
