"""Turns long enough to interrupt: WS interrupt, SSE disconnect, keepalives, heartbeats,
one turn per socket, graceful drain on SIGTERM and recovery after a crash."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import grpc
import pytest

from services.common.gen.trellis.v1 import chat_pb2, chat_pb2_grpc
from tests.conftest import make_org, start_stack
from tests.helpers import bearer_metadata, chat_messages, demo_chat
from tests.turn_clients import open_ws, parse_sse, sse_stream, sse_turn, ws_collect, ws_recv
from tests.waiting import wait_until

pytestmark = pytest.mark.storage
QUESTION = "which tables are there"  # the longest answer the engine gives: ~40 deltas


@pytest.fixture(scope="module")
def slow_stack(request, tmp_path_factory) -> Iterator:
    env = {
        "ENGINE_STREAM_DELAY_MS": "60",
        "SSE_KEEPALIVE_SECONDS": "0.03",
        "WS_HEARTBEAT_SECONDS": "0.2",
        "SHUTDOWN_GRACE_SECONDS": "20",
    }
    yield from start_stack(request, tmp_path_factory.mktemp("slow"), with_upload=False, env=env)


@pytest.fixture
def chat(slow_stack):
    org = make_org(slow_stack)
    with demo_chat(slow_stack, org) as (http, chat_id):
        yield org, http, chat_id


def test_interrupt_mid_turn_persists_the_partial_answer(slow_stack, chat) -> None:
    org, http, chat_id = chat
    with open_ws(slow_stack.gateway_url, org.token()) as ws:
        ws.send(json.dumps({"action": "send_message", "chat_id": chat_id, "message": QUESTION}))
        deltas = []
        while len(deltas) < 5:
            frame = ws_recv(ws)
            if frame["event"] == "text_delta":
                deltas.append(frame["data"]["content"])
        ws.send(json.dumps({"action": "interrupt", "chat_id": chat_id}))
        rest = ws_collect(ws)
        assert rest[-1] == ("interrupted", {"status": "interrupted"})
        assert "message" not in [name for name, _ in rest]
        ws.send(json.dumps({"action": "ping"}))
        assert ws_recv(ws)["event"] == "pong"
    history = chat_messages(http, chat_id)
    assert [m["role"] for m in history] == ["user", "assistant"]
    partial = history[1]
    assert partial["metadata"]["interrupted"] is True
    assert partial["content"].startswith("".join(deltas)) and "tables:" not in partial["content"][-40:]


def test_sse_client_disconnect_cancels_the_work(slow_stack, chat) -> None:
    org, http, chat_id = chat
    with sse_stream(slow_stack.gateway_url, org.token(), {"chat_id": chat_id, "message": QUESTION}) as resp:
        seen = ""
        for chunk in resp.iter_text():
            seen += chunk
            if seen.count("event: text_delta") >= 3:
                break  # hang up mid-answer

    def answer_stored() -> list[dict] | None:
        messages = chat_messages(http, chat_id)
        return messages if len(messages) >= 2 else None

    history = wait_until(answer_stored, "the cut-off answer is stored")
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert history[1]["metadata"].get("interrupted") is True
    full_answer_words = 30
    assert len(history[1]["content"].split()) < full_answer_words  # the engine stopped, it did not finish
    # The same question again, to the end: by then the first answer would have finished too, had
    # its work gone on in the background.
    _, events = sse_turn(slow_stack.gateway_url, org.token(), {"chat_id": chat_id, "message": QUESTION})
    assert events[-1][0] == "message" and len(events[-1][1]["content"].split()) >= full_answer_words
    after = chat_messages(http, chat_id)
    assert after[:2] == history  # nothing finished in the background
    assert [m["role"] for m in after[2:]] == ["user", "assistant"]


def test_sse_sends_keepalive_comments_in_single_writes(slow_stack, chat) -> None:
    org, _, chat_id = chat
    chunks = []
    with sse_stream(slow_stack.gateway_url, org.token(), {"chat_id": chat_id, "message": QUESTION}) as resp:
        for chunk in resp.iter_raw():
            chunks.append(chunk.decode())
    text = "".join(chunks)
    assert ": keepalive\n\n" in text
    events = parse_sse(text)
    assert events[-1][0] == "message"
    # Every event arrived whole: a chunk never ends between an event's `event:` and `data:` lines.
    assert not [c for c in chunks if c.rstrip("\n").split("\n")[-1].startswith("event:")]


def test_heartbeats_and_one_turn_per_socket(slow_stack, chat) -> None:
    org, http, chat_id = chat
    with open_ws(slow_stack.gateway_url, org.token(), "?heartbeat=1") as ws:
        ws.send(json.dumps({"action": "send_message", "chat_id": chat_id, "message": QUESTION}))
        ws.send(json.dumps({"action": "send_message", "chat_id": chat_id, "message": "another"}))
        events = []
        while not events or events[-1][0] != "message":
            frame = ws_recv(ws)
            events.append((frame["event"], frame["data"]))
    errors = [data for name, data in events if name == "error"]
    assert [e["code"] for e in errors] == ["TURN_IN_PROGRESS"]
    beats = [data for name, data in events if name == "heartbeat"]
    assert beats and all("ts" in b for b in beats)
    assert [m["role"] for m in chat_messages(http, chat_id)] == ["user", "assistant"]  # the second send did nothing


def test_no_heartbeat_without_opting_in(slow_stack, chat) -> None:
    org, _, chat_id = chat
    with open_ws(slow_stack.gateway_url, org.token()) as ws:
        ws.send(json.dumps({"action": "send_message", "chat_id": chat_id, "message": QUESTION}))
        assert "heartbeat" not in [name for name, _ in ws_collect(ws)]


def _turn_in_thread(stack, org, chat_id: str, result: list) -> tuple[threading.Thread, threading.Event]:
    """Run a gRPC turn in a thread; the event is set once the answer has started streaming."""
    answering = threading.Event()

    def run() -> None:
        with grpc.insecure_channel(stack.chat_target) as channel:
            stream = chat_pb2_grpc.ChatServiceStub(channel).SendMessage(
                chat_pb2.SendMessageRequest(chat_id=chat_id, message=QUESTION),
                metadata=bearer_metadata(org.token()),
                timeout=60,
            )
            try:
                for response in stream:
                    kind = response.event.WhichOneof("event")
                    result.append(kind)
                    if kind == "text_delta":
                        answering.set()
            except grpc.RpcError as err:
                result.append(err.code())

    thread = threading.Thread(target=run)
    thread.start()
    assert answering.wait(30), result
    return thread, answering


def test_sigterm_drains_an_in_flight_turn(slow_stack, chat) -> None:
    org, http, chat_id = chat
    result: list = []
    reader, _ = _turn_in_thread(slow_stack, org, chat_id, result)
    slow_stack.restart("chat")  # SIGTERM mid-answer, wait for exit, start again
    reader.join(30)
    assert result[-1] == "message", result  # the stream finished before the process exited
    assert [m["role"] for m in chat_messages(http, chat_id)] == ["user", "assistant"]


def test_a_crash_mid_turn_leaves_a_consistent_history(slow_stack, chat) -> None:
    org, http, chat_id = chat
    result: list = []
    reader, _ = _turn_in_thread(slow_stack, org, chat_id, result)
    slow_stack.restart("chat", kill=True, env={"TURN_RECOVERY_GRACE_SECONDS": "0", "TURN_LOCK_STALE_SECONDS": "3"})
    reader.join(30)
    assert result[-1] == grpc.StatusCode.UNAVAILABLE  # the process died mid-answer: a retryable status
    history = chat_messages(http, chat_id)
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert history[1]["metadata"]["interrupted"] is True and history[1]["metadata"]["error_code"] == "INTERNAL"

    # The dead turn's claim on the chat lapses (TURN_LOCK_STALE_SECONDS): the question can be asked again.
    def ask_again():
        resp, events = sse_turn(slow_stack.gateway_url, org.token(), {"chat_id": chat_id, "message": "how many orders"})
        return None if resp.status_code == 409 else (resp, events)

    resp, events = wait_until(ask_again, "the crashed turn no longer holds the chat", timeout=30)
    assert resp.status_code == 200 and events[-1][0] == "message"
