"""History, edit, delete and feedback of messages (contract §6.6, §6.10–6.12)."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import add_integration
from tests.turn_clients import sse_turn

pytestmark = pytest.mark.storage


def _chat_with_turns(stack, org, http, questions: list[str]) -> tuple[str, str]:
    integration = add_integration(stack, org.id)
    chat = http.post("/v1/chats/create", json={"integration_id": integration}).json()["id"]
    token = http.headers["Authorization"].removeprefix("Bearer ")
    for question in questions:
        _, events = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": question})
        assert events[-1][0] == "message", events
    return chat, token


def test_edit_replaces_later_messages_and_gives_a_new_id(stack, org) -> None:
    with org.client() as http:
        chat, token = _chat_with_turns(stack, org, http, ["how many orders", "how many customers", "show regions"])
        before = http.get(f"/v1/chats/{chat}").json()["messages"]
        assert len(before) == 6
        target = before[2]  # the second user message
        resp, events = sse_turn(
            stack.gateway_url,
            token,
            {"content": "how many products"},
            path=f"/v1/chats/{chat}/messages/{target['id']}",
            method="PATCH",
        )
        assert resp.status_code == 200
        meta = events[0][1]
        assert events[0][0] == "chat_metadata" and meta["user_message_id"] != target["id"]
        after = http.get(f"/v1/chats/{chat}").json()["messages"]
        assert [m["id"] for m in after[:2]] == [m["id"] for m in before[:2]]
        assert [m["role"] for m in after] == ["user", "assistant", "user", "assistant"]
        assert after[2]["id"] == meta["user_message_id"] and after[2]["content"] == "how many products"
        assert "products" in after[3]["content"] and after[3]["id"] == events[-1][1]["id"]


def test_editing_an_assistant_message_is_refused(stack, org) -> None:
    with org.client() as http:
        chat, token = _chat_with_turns(stack, org, http, ["how many orders"])
        before = http.get(f"/v1/chats/{chat}").json()["messages"]
        resp, _ = sse_turn(
            stack.gateway_url,
            token,
            {"content": "x"},
            path=f"/v1/chats/{chat}/messages/{before[1]['id']}",
            method="PATCH",
        )
        assert resp.status_code == 400 and resp.json()["code"] == "NOT_EDITABLE"
        assert http.get(f"/v1/chats/{chat}").json()["messages"] == before


def test_delete_message_cascades(stack, org) -> None:
    with org.client() as http:
        chat, _ = _chat_with_turns(stack, org, http, ["how many orders", "how many customers"])
        before = http.get(f"/v1/chats/{chat}").json()["messages"]
        resp = http.delete(f"/v1/chats/{chat}/messages/{before[1]['id']}")
        assert resp.status_code == 204 and resp.content == b""
        after = http.get(f"/v1/chats/{chat}").json()["messages"]
        assert [m["id"] for m in after] == [before[0]["id"]]
        again = http.delete(f"/v1/chats/{chat}/messages/{before[1]['id']}")
        assert again.status_code == 404


def test_feedback(stack, org) -> None:
    with org.client() as http:
        chat, _ = _chat_with_turns(stack, org, http, ["how many orders"])
        answer = http.get(f"/v1/chats/{chat}").json()["messages"][1]
        resp = http.patch(
            f"/v1/chats/messages/{answer['id']}/feedback", json={"feedback": "negative", "note": "wrong table"}
        )
        assert resp.status_code == 200
        body = resp.json()
        assert body["id"] == answer["id"]
        assert body["metadata"]["feedback"] == "negative" and body["metadata"]["feedback_note"] == "wrong table"
        assert body["metadata"]["model"] == answer["metadata"]["model"]  # the full metadata comes back
        http.patch(f"/v1/chats/messages/{answer['id']}/feedback", json={"feedback": "positive"})
        stored = http.get(f"/v1/chats/{chat}").json()["messages"][1]["metadata"]
        assert stored["feedback"] == "positive" and "feedback_note" not in stored
        bad = http.patch(f"/v1/chats/messages/{answer['id']}/feedback", json={"feedback": "meh"})
        assert bad.status_code == 400 and bad.json()["code"] == "INVALID_REQUEST"


def test_other_members_cannot_touch_messages(stack, org, other_org) -> None:
    with org.client("owner@example.com") as owner, org.client("intruder@example.com") as intruder:
        chat, _ = _chat_with_turns(stack, org, owner, ["how many orders"])
        msgs = owner.get(f"/v1/chats/{chat}").json()["messages"]
        token = intruder.headers["Authorization"].removeprefix("Bearer ")
        assert intruder.delete(f"/v1/chats/{chat}/messages/{msgs[0]['id']}").status_code == 404
        assert (
            intruder.patch(f"/v1/chats/messages/{msgs[1]['id']}/feedback", json={"feedback": "negative"}).status_code
            == 404
        )
        resp, _ = sse_turn(
            stack.gateway_url,
            token,
            {"content": "x"},
            path=f"/v1/chats/{chat}/messages/{msgs[0]['id']}",
            method="PATCH",
        )
        assert resp.status_code == 404 and resp.json()["code"] == "CHAT_NOT_FOUND"
        resp, _ = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": "hello"})
        assert resp.status_code == 404 and resp.json()["code"] == "CHAT_NOT_FOUND"
        assert owner.get(f"/v1/chats/{chat}").json()["messages"] == msgs


def test_send_errors_before_the_stream_keep_their_status(stack, org) -> None:
    token = org.token()
    with org.client() as http:
        chat = http.post("/v1/chats/create").json()["id"]
    cases = [
        ({"message": "hi"}, 400, "MISSING_CHAT_ID"),
        ({"chat_id": chat}, 400, "INVALID_REQUEST"),
        ({"chat_id": chat, "message": "hi", "model": "no-such-model"}, 400, "INVALID_REQUEST"),
        (
            {"chat_id": chat, "message": "hi", "integration_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
            404,
            "INTEGRATION_NOT_FOUND",
        ),
        ({"chat_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "message": "hi"}, 404, "CHAT_NOT_FOUND"),
    ]
    for body, status, code in cases:
        resp, _ = sse_turn(stack.gateway_url, token, body)
        assert resp.status_code == status and resp.json()["code"] == code, (body, resp.text)
    assert (
        httpx.get(f"{stack.gateway_url}/v1/chats/{chat}", headers={"Authorization": f"Bearer {token}"}).json()[
            "messages"
        ]
        == []
    )


def test_a_chat_without_database_says_so(stack, org) -> None:
    with org.client() as http:
        chat = http.post("/v1/chats/create").json()["id"]
        _, events = sse_turn(stack.gateway_url, org.token(), {"chat_id": chat, "message": "how many orders"})
    assert events[-1][0] == "message" and "no database connected" in events[-1][1]["content"]
    assert not [e for e in events if e[0] == "visualization"]


def test_send_rate_limit_is_30_per_minute_per_token(stack, org) -> None:
    token = org.token()
    with org.client() as http:
        chat = http.post("/v1/chats/create").json()["id"]
    for i in range(30):
        resp, _ = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": f"hello {i}"})
        assert resp.status_code == 200, i
    resp, _ = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": "one more"})
    assert resp.status_code == 429 and resp.json()["code"] == "RATE_LIMIT" and int(resp.headers["Retry-After"]) >= 1
    with org.client() as http:
        messages = http.get(f"/v1/chats/{chat}").json()["messages"]
    assert len(messages) == 60  # the refused send stored nothing


def test_models_lists_the_embedded_engine(stack, org) -> None:
    with org.client() as http:
        body = http.get("/v1/models").json()
    assert body["default"] == "embedded-sql"
    assert {"model_id": "embedded-sql"}.items() <= body["models"][0].items()
    assert set(body["models"][0]) == {"model_id", "display_name", "description"}
