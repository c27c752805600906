"""One turn per chat at a time, on every transport and across clients; no committed message lost."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest

from tests.conftest import make_org, start_stack
from tests.helpers import assert_error, chat_messages, demo_chat
from tests.turn_clients import open_ws, sse_stream, sse_turn, ws_collect

pytestmark = pytest.mark.storage
QUESTION = "which tables are there"  # the longest answer the engine gives: ~40 deltas


@pytest.fixture(scope="module")
def slow_stack(request, tmp_path_factory) -> Iterator:
    env = {"ENGINE_STREAM_DELAY_MS": "40"}
    yield from start_stack(request, tmp_path_factory.mktemp("one-turn"), with_upload=False, env=env)


def test_a_second_turn_while_one_runs_is_refused_on_sse_and_websocket(slow_stack) -> None:
    org = make_org(slow_stack)
    with demo_chat(slow_stack, org) as (http, chat_id):
        token = org.token()
        with sse_stream(slow_stack.gateway_url, token, {"chat_id": chat_id, "message": QUESTION}) as first:
            lines = first.iter_lines()
            assert next(lines) == "event: chat_metadata"  # the first turn holds the chat from here
            resp, _ = sse_turn(slow_stack.gateway_url, token, {"chat_id": chat_id, "message": "how many orders"})
            body = assert_error(resp, 409, "TURN_IN_PROGRESS")
            assert "retry" in body["detail"].lower()
            with open_ws(slow_stack.gateway_url, token) as ws:  # the same member on a second device
                ws.send(json.dumps({"action": "send_message", "chat_id": chat_id, "message": "how many orders"}))
                events = ws_collect(ws)
            assert events[-1][0] == "error" and events[-1][1]["code"] == "TURN_IN_PROGRESS", events
            rest = "\n".join(lines)
        assert "event: message" in rest  # the first turn was not disturbed
        # Once it ended, the chat takes the next turn.
        resp, events = sse_turn(slow_stack.gateway_url, token, {"chat_id": chat_id, "message": "how many orders"})
        assert resp.status_code == 200 and events[-1][0] == "message"
        history = chat_messages(http, chat_id)
        assert [m["role"] for m in history] == ["user", "assistant"] * 2


def test_concurrent_clients_never_lose_a_committed_question_or_its_answer(slow_stack) -> None:
    org = make_org(slow_stack)
    with demo_chat(slow_stack, org) as (http, chat_id):
        token = org.token()
        outcomes: list[int] = []

        def send(i: int) -> None:
            resp, events = sse_turn(
                slow_stack.gateway_url, token, {"chat_id": chat_id, "message": f"how many orders {i}"}
            )
            outcomes.append(resp.status_code)
            if resp.status_code == 200:
                assert events[-1][0] == "message", events[-1]

        threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert set(outcomes) <= {200, 409} and 200 in outcomes, outcomes
        history = chat_messages(http, chat_id)
        # Every accepted question has its answer right after it; refused ones left nothing behind.
        assert [m["role"] for m in history] == ["user", "assistant"] * outcomes.count(200)
        assert all(not m["metadata"].get("error_code") for m in history)
