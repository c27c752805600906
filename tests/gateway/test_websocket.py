"""WebSocket /v1/chats/ws: authentication, caps, frame limits, ping, delete, edit."""

from __future__ import annotations

import contextlib
import json

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.helpers import bearer, chat_messages, create_chat, demo_chat
from tests.turn_clients import open_ws, ws_collect, ws_recv, ws_url
from tests.waiting import wait_until


def _close_code(ws) -> int:
    with pytest.raises(ConnectionClosed) as info:
        while True:
            ws.recv(10)
    return info.value.rcvd.code


def test_query_string_token_is_refused_at_upgrade_with_403(stack, org) -> None:
    with pytest.raises(InvalidStatus) as info:
        connect(ws_url(stack.gateway_url, f"?token={org.token()}"))
    assert info.value.response.status_code == 403


def test_header_and_first_frame_authentication(stack, org) -> None:
    token = org.token()
    with connect(ws_url(stack.gateway_url), additional_headers=bearer(token)) as ws:
        assert ws_recv(ws) == {"event": "authenticated", "data": {"status": "ok"}}
    with connect(ws_url(stack.gateway_url)) as ws:  # browsers cannot set headers
        ws.send(json.dumps({"action": "authenticate", "token": token}))
        assert ws_recv(ws) == {"event": "authenticated", "data": {"status": "ok"}}
        ws.send(json.dumps({"action": "ping"}))
        pong = ws_recv(ws)
        assert pong["event"] == "pong" and "ts" in pong["data"]


@pytest.mark.parametrize("how", ["bad header", "bad frame token", "first frame not authenticate", "not json"])
def test_bad_credentials_close_with_4001(stack, org, how) -> None:
    headers = bearer("garbage") if how == "bad header" else {}
    with connect(ws_url(stack.gateway_url), additional_headers=headers) as ws:
        if how == "bad frame token":
            ws.send(json.dumps({"action": "authenticate", "token": "nope"}))
        elif how == "first frame not authenticate":
            ws.send(json.dumps({"action": "ping"}))
        elif how == "not json":
            ws.send("hello")
        assert _close_code(ws) == 4001


def test_fourth_socket_for_a_token_gets_the_cap_error_then_4429(stack, org) -> None:
    token = org.token()
    with contextlib.ExitStack() as opened:
        sockets = [
            opened.enter_context(connect(ws_url(stack.gateway_url), additional_headers=bearer(token))) for _ in range(3)
        ]
        for ws in sockets:
            assert ws_recv(ws)["event"] == "authenticated"
        with connect(ws_url(stack.gateway_url), additional_headers=bearer(token)) as fourth:
            frame = ws_recv(fourth)
            assert frame["event"] == "error" and frame["data"]["code"] == "WS_CONNECTION_CAP"
            assert frame["data"]["retryable"] is True
            assert _close_code(fourth) == 4429
        # Another token has its own budget; closing one socket frees a slot.
        with open_ws(stack.gateway_url, org.token()):
            pass  # authenticated, not capped
        sockets.pop().close()

        def a_socket_is_accepted() -> bool:
            with connect(ws_url(stack.gateway_url), additional_headers=bearer(token)) as ws:
                return ws_recv(ws)["event"] == "authenticated"  # else the gateway has not seen the close yet

        wait_until(a_socket_is_accepted, "the closed socket's slot is free again", interval=0.1)


def test_send_message_frames_are_rate_limited_and_the_socket_stays_open(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
    with open_ws(stack.gateway_url, org.token()) as ws:
        for i in range(3):
            ws.send(json.dumps({"action": "send_message", "chat_id": chat, "message": f"hello {i}"}))
            events = ws_collect(ws)
            assert events[-1][0] == "message", events
        ws.send(json.dumps({"action": "send_message", "chat_id": chat, "message": "fourth in 10 s"}))
        frame = ws_recv(ws)
        assert frame["event"] == "error" and frame["data"]["code"] == "RATE_LIMIT"
        assert 1 <= frame["data"]["retry_after_seconds"] <= 10 and frame["data"]["error_type"] == "rate_limit"
        ws.send(json.dumps({"action": "ping"}))
        assert ws_recv(ws)["event"] == "pong"  # still open, other actions not throttled


def test_send_errors_are_error_events(stack, org) -> None:
    with open_ws(stack.gateway_url, org.token()) as ws:
        ws.send(json.dumps({"action": "send_message", "message": "no chat"}))
        assert ws_recv(ws)["data"]["code"] == "MISSING_CHAT_ID"
        ws.send(
            json.dumps({"action": "send_message", "chat_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "message": "x"})
        )
        assert ws_recv(ws)["data"]["code"] == "CHAT_NOT_FOUND"
        ws.send(json.dumps({"action": "dance"}))
        assert ws_recv(ws)["data"]["code"] == "INVALID_REQUEST"
        ws.send("not json")
        assert ws_recv(ws)["data"]["code"] == "INVALID_REQUEST"


def test_delete_and_edit_over_websocket(stack, org) -> None:
    with demo_chat(stack, org) as (http, chat):
        with open_ws(stack.gateway_url, org.token()) as ws:
            for question in ("how many orders", "how many customers"):
                ws.send(json.dumps({"action": "send_message", "chat_id": chat, "message": question}))
                ws_collect(ws)
            messages = chat_messages(http, chat)
            ws.send(
                json.dumps(
                    {
                        "action": "edit_message",
                        "chat_id": chat,
                        "message_id": messages[2]["id"],
                        "content": "how many products",
                    }
                )
            )
            events = ws_collect(ws)
            assert events[0][0] == "chat_metadata" and events[-1][0] == "message"
            assert "products" in events[-1][1]["content"]
            ws.send(json.dumps({"action": "delete_message", "chat_id": chat, "message_id": messages[1]["id"]}))
            assert ws_recv(ws) == {"event": "deleted", "data": {"message_id": messages[1]["id"]}}
            assert [m["id"] for m in chat_messages(http, chat)] == [messages[0]["id"]]
            ws.send(json.dumps({"action": "delete_message", "chat_id": chat, "message_id": messages[1]["id"]}))
            assert ws_recv(ws)["data"]["code"] == "NOT_FOUND"
