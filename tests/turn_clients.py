"""Three ways to run a turn — gRPC, SSE, WebSocket — each returning [(event, data), ...]."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import grpc
import httpx
from websockets.sync.client import ClientConnection, connect

from services.common.gen.trellis.v1 import chat_pb2, chat_pb2_grpc
from services.common.turn_json import event_json
from tests.helpers import bearer, bearer_metadata

FINAL = {"message", "error"}


def grpc_turn(stack, token: str, body: dict[str, Any]) -> list[tuple[str, dict]]:
    from google.protobuf import json_format

    request = json_format.ParseDict(body, chat_pb2.SendMessageRequest())
    with grpc.insecure_channel(stack.chat_target) as channel:
        stream = chat_pb2_grpc.ChatServiceStub(channel).SendMessage(
            request, metadata=bearer_metadata(token), timeout=60
        )
        return [event_json(r.event) for r in stream]


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        fields = dict(line.split(": ", 1) for line in lines)
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def _sse_headers(token: str) -> dict[str, str]:
    return {**bearer(token), "Accept": "text/event-stream"}


def sse_turn(base_url: str, token: str, body: dict[str, Any], path: str = "/v1/chats", method: str = "POST"):
    resp = httpx.request(method, base_url + path, json=body, headers=_sse_headers(token), timeout=60)
    return resp, (parse_sse(resp.text) if resp.status_code == 200 else [])


def sse_stream(base_url: str, token: str, body: dict[str, Any]) -> AbstractContextManager[httpx.Response]:
    """POST /v1/chats, its response read as it arrives (to watch the stream itself, or hang up midway)."""
    return httpx.stream("POST", base_url + "/v1/chats", json=body, headers=_sse_headers(token), timeout=30)


def sse_edit(base_url: str, token: str, chat_id: str, message_id: str, content: str):
    """PATCH /v1/chats/{chat_id}/messages/{message_id}: edit a user message and stream the new answer."""
    return sse_turn(
        base_url, token, {"content": content}, path=f"/v1/chats/{chat_id}/messages/{message_id}", method="PATCH"
    )


def ws_url(base_url: str, query: str = "") -> str:
    return base_url.replace("http://", "ws://") + "/v1/chats/ws" + query


def ws_recv(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    """The next frame, {"event", "data"}."""
    return json.loads(ws.recv(timeout))


@contextmanager
def open_ws(base_url: str, token: str, query: str = "") -> Iterator[ClientConnection]:
    """A WebSocket authenticated with the Authorization header (its `authenticated` frame already read)."""
    with connect(ws_url(base_url, query), additional_headers=bearer(token)) as ws:
        assert ws_recv(ws) == {"event": "authenticated", "data": {"status": "ok"}}
        yield ws


def ws_turn(base_url: str, token: str, body: dict[str, Any]) -> list[tuple[str, dict]]:
    with open_ws(base_url, token) as ws:
        ws.send(json.dumps({"action": "send_message", **body}))
        return ws_collect(ws)


def ws_collect(ws, timeout: float = 60) -> list[tuple[str, dict]]:
    events = []
    while True:
        frame = ws_recv(ws, timeout)
        events.append((frame["event"], frame["data"]))
        if frame["event"] in FINAL | {"interrupted"}:
            return events
