"""WebSocket /v1/chats/ws: authentication, caps, frame limits, ping, delete, edit."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.helpers import add_integration
from tests.turn_clients import ws_collect, ws_url


def _auth_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _recv(ws, timeout: float = 10) -> dict:
    return json.loads(ws.recv(timeout))


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
    with connect(ws_url(stack.gateway_url), additional_headers=_auth_header(token)) as ws:
        assert _recv(ws) == {"event": "authenticated", "data": {"status": "ok"}}
    with connect(ws_url(stack.gateway_url)) as ws:  # browsers cannot set headers
        ws.send(json.dumps({"action": "authenticate", "token": token}))
        assert _recv(ws) == {"event": "authenticated", "data": {"status": "ok"}}
        ws.send(json.dumps({"action": "ping"}))
        pong = _recv(ws)
        assert pong["event"] == "pong" and "ts" in pong["data"]


@pytest.mark.parametrize("how", ["bad header", "bad frame token", "first frame not authenticate", "not json"])
def test_bad_credentials_close_with_4001(stack, org, how) -> None:
    headers = _auth_header("garbage") if how == "bad header" else {}
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
            opened.enter_context(connect(ws_url(stack.gateway_url), additional_headers=_auth_header(token)))
            for _ in range(3)
        ]
        for ws in sockets:
            assert _recv(ws)["event"] == "authenticated"
        with connect(ws_url(stack.gateway_url), additional_headers=_auth_header(token)) as fourth:
            frame = _recv(fourth)
            assert frame["event"] == "error" and frame["data"]["code"] == "WS_CONNECTION_CAP"
            assert frame["data"]["retryable"] is True
            assert _close_code(fourth) == 4429
        # Another token has its own budget; closing one socket frees a slot.
        with connect(ws_url(stack.gateway_url), additional_headers=_auth_header(org.token())) as other:
            assert _recv(other)["event"] == "authenticated"
        sockets.pop().close()
        time.sleep(0.3)
        with connect(ws_url(stack.gateway_url), additional_headers=_auth_header(token)) as again:
            assert _recv(again)["event"] == "authenticated"


def test_send_message_frames_are_rate_limited_and_the_socket_stays_open(stack, org) -> None:
    with org.client() as http:
        chat = http.post("/v1/chats/create").json()["id"]
    with connect(ws_url(stack.gateway_url), additional_headers=_auth_header(org.token())) as ws:
        _recv(ws)
        for i in range(3):
            ws.send(json.dumps({"action": "send_message", "chat_id": chat, "message": f"hello {i}"}))
            events = ws_collect(ws)
            assert events[-1][0] == "message", events
        ws.send(json.dumps({"action": "send_message", "chat_id": chat, "message": "fourth in 10 s"}))
        frame = _recv(ws)
        assert frame["event"] == "error" and frame["data"]["code"] == "RATE_LIMIT"
        assert 1 <= frame["data"]["retry_after_seconds"] <= 10 and frame["data"]["error_type"] == "rate_limit"
        ws.send(json.dumps({"action": "ping"}))
        assert _recv(ws)["event"] == "pong"  # still open, other actions not throttled


def test_send_errors_are_error_events(stack, org) -> None:
    with connect(ws_url(stack.gateway_url), additional_headers=_auth_header(org.token())) as ws:
        _recv(ws)
        ws.send(json.dumps({"action": "send_message", "message": "no chat"}))
        assert _recv(ws)["data"]["code"] == "MISSING_CHAT_ID"
        ws.send(
            json.dumps({"action": "send_message", "chat_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "message": "x"})
        )
        assert _recv(ws)["data"]["code"] == "CHAT_NOT_FOUND"
        ws.send(json.dumps({"action": "dance"}))
        assert _recv(ws)["data"]["code"] == "INVALID_REQUEST"
        ws.send("not json")
        assert _recv(ws)["data"]["code"] == "INVALID_REQUEST"


def test_delete_and_edit_over_websocket(stack, org) -> None:
    integration = add_integration(stack, org.id)
    with org.client() as http:
        chat = http.post("/v1/chats/create", json={"integration_id": integration}).json()["id"]
        with connect(ws_url(stack.gateway_url), additional_headers=_auth_header(org.token())) as ws:
            _recv(ws)
            for question in ("how many orders", "how many customers"):
                ws.send(json.dumps({"action": "send_message", "chat_id": chat, "message": question}))
                ws_collect(ws)
            messages = http.get(f"/v1/chats/{chat}").json()["messages"]
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
            assert _recv(ws) == {"event": "deleted", "data": {"message_id": messages[1]["id"]}}
            assert [m["id"] for m in http.get(f"/v1/chats/{chat}").json()["messages"]] == [messages[0]["id"]]
            ws.send(json.dumps({"action": "delete_message", "chat_id": chat, "message_id": messages[1]["id"]}))
            assert _recv(ws)["data"]["code"] == "NOT_FOUND"
