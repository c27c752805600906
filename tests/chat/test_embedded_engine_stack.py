"""The embedded engine's answers through a real stack (gateway, Chat service, storage): a decline is
stored with its reasons in the assistant message's metadata and sends no visualization; an answer
keeps its exact figures in the metadata while the table shows them rounded; the text arrives in
phrases."""

from __future__ import annotations

import pytest

from tests.helpers import chat_messages, demo_chat
from tests.turn_clients import sse_turn

pytestmark = pytest.mark.storage


def test_a_decline_and_an_answer_as_stored(stack, org) -> None:
    with demo_chat(stack, org) as (http, chat_id):
        token = org.token()
        _, events = sse_turn(
            stack.gateway_url, token, {"chat_id": chat_id, "message": "How many orders were paid by credit card?"}
        )
        names = [name for name, _ in events]
        assert "visualization" not in names and names[-1] == "message"
        assert "“credit” and “card”" in events[-1][1]["content"]

        _, events = sse_turn(
            stack.gateway_url, token, {"chat_id": chat_id, "message": "average order value by channel"}
        )
        deltas = [data["content"] for name, data in events if name == "text_delta"]
        answer = events[-1][1]["content"]
        assert "".join(deltas) == answer and len(deltas) < len(answer.split()) / 2  # phrases, not words
        table = next(data for name, data in events if name == "visualization" and data["type"] == "table")

        declined, answered = [m for m in chat_messages(http, chat_id) if m["role"] == "assistant"]
        meta = declined["metadata"]
        assert meta["declined"] is True and meta["unmapped_terms"] == ["credit", "card"]
        assert meta["decline_reason"] == "unplaced words" and "sql" not in meta and not meta["visualizations"]

        exact = answered["metadata"]["result"]["rows"]
        shown = table["rows"]
        assert [row[0] for row in exact] == [row[0] for row in shown]
        for (_, value), (_, rounded) in zip(exact, shown, strict=True):
            assert rounded == round(value, 2) and f"{value:,.2f}" in answer
        assert "declined" not in answered["metadata"]
