"""Three ways to run a turn — gRPC, SSE, WebSocket — each returning [(event, data), ...]."""

from __future__ import annotations

import json
from typing import Any

import grpc
import httpx
from websockets.sync.client import connect

from services.common.gen.trellis.v1 import chat_pb2, chat_pb2_grpc
from services.common.turn_json import event_json

FINAL = {"message", "error"}


def grpc_turn(stack, token: str, body: dict[str, Any]) -> list[tuple[str, dict]]:
    from google.protobuf import json_format

    request = json_format.ParseDict(body, chat_pb2.SendMessageRequest())
    with grpc.insecure_channel(stack.chat_target) as channel:
        stream = chat_pb2_grpc.ChatServiceStub(channel).SendMessage(
            request, metadata=[("authorization", f"Bearer {token}")], timeout=60
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


def sse_turn(base_url: str, token: str, body: dict[str, Any], path: str = "/v1/chats", method: str = "POST"):
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    resp = httpx.request(method, base_url + path, json=body, headers=headers, timeout=60)
    return resp, (parse_sse(resp.text) if resp.status_code == 200 else [])


def ws_url(base_url: str, query: str = "") -> str:
    return base_url.replace("http://", "ws://") + "/v1/chats/ws" + query


def ws_turn(base_url: str, token: str, body: dict[str, Any]) -> list[tuple[str, dict]]:
    with connect(ws_url(base_url), additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        assert json.loads(ws.recv(10)) == {"event": "authenticated", "data": {"status": "ok"}}
        ws.send(json.dumps({"action": "send_message", **body}))
        return ws_collect(ws)


def ws_collect(ws, timeout: float = 60) -> list[tuple[str, dict]]:
    events = []
    while True:
        frame = json.loads(ws.recv(timeout))
        events.append((frame["event"], frame["data"]))
        if frame["event"] in FINAL | {"interrupted"}:
            return events
