"""History, edit, delete and feedback of messages (docs/api.md)."""

from __future__ import annotations

import pytest

from tests.helpers import add_integration, assert_error, chat_messages, create_chat, token_of
from tests.turn_clients import sse_edit, sse_turn

pytestmark = pytest.mark.storage


def _chat_with_turns(stack, org, http, questions: list[str]) -> tuple[str, str]:
    integration = add_integration(stack, org.id)
    chat = create_chat(http, integration_id=integration)["id"]
    token = token_of(http)
    for question in questions:
        _, events = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": question})
        assert events[-1][0] == "message", events
    return chat, token


def test_edit_replaces_later_messages_and_gives_a_new_id(stack, org) -> None:
    with org.client() as http:
        chat, token = _chat_with_turns(stack, org, http, ["how many orders", "how many customers", "show regions"])
        before = chat_messages(http, chat)
        assert len(before) == 6
        target = before[2]  # the second user message
        resp, events = sse_edit(stack.gateway_url, token, chat, target["id"], "how many products")
        assert resp.status_code == 200
        meta = events[0][1]
        assert events[0][0] == "chat_metadata" and meta["user_message_id"] != target["id"]
        after = chat_messages(http, chat)
        assert [m["id"] for m in after[:2]] == [m["id"] for m in before[:2]]
        assert [m["role"] for m in after] == ["user", "assistant", "user", "assistant"]
        assert after[2]["id"] == meta["user_message_id"] and after[2]["content"] == "how many products"
        assert "products" in after[3]["content"] and after[3]["id"] == events[-1][1]["id"]


def test_editing_an_assistant_message_is_refused(stack, org) -> None:
    with org.client() as http:
        chat, token = _chat_with_turns(stack, org, http, ["how many orders"])
        before = chat_messages(http, chat)
        resp, _ = sse_edit(stack.gateway_url, token, chat, before[1]["id"], "x")
        assert_error(resp, 400, "NOT_EDITABLE")
        assert chat_messages(http, chat) == before


def test_delete_message_cascades(stack, org) -> None:
    with org.client() as http:
        chat, _ = _chat_with_turns(stack, org, http, ["how many orders", "how many customers"])
        before = chat_messages(http, chat)
        resp = http.delete(f"/v1/chats/{chat}/messages/{before[1]['id']}")
        assert resp.status_code == 204 and resp.content == b""
        after = chat_messages(http, chat)
        assert [m["id"] for m in after] == [before[0]["id"]]
        again = http.delete(f"/v1/chats/{chat}/messages/{before[1]['id']}")
        assert again.status_code == 404


def test_feedback(stack, org) -> None:
    with org.client() as http:
        chat, _ = _chat_with_turns(stack, org, http, ["how many orders"])
        answer = chat_messages(http, chat)[1]
        resp = http.patch(
            f"/v1/chats/messages/{answer['id']}/feedback", json={"feedback": "negative", "note": "wrong table"}
        )
        assert resp.status_code == 200
        body = resp.json()
        assert body["id"] == answer["id"]
        assert body["metadata"]["feedback"] == "negative" and body["metadata"]["feedback_note"] == "wrong table"
        assert body["metadata"]["model"] == answer["metadata"]["model"]  # the full metadata comes back
        http.patch(f"/v1/chats/messages/{answer['id']}/feedback", json={"feedback": "positive"})
        stored = chat_messages(http, chat)[1]["metadata"]
        assert stored["feedback"] == "positive" and "feedback_note" not in stored
        bad = http.patch(f"/v1/chats/messages/{answer['id']}/feedback", json={"feedback": "meh"})
        assert_error(bad, 400, "INVALID_REQUEST")


def test_other_members_cannot_touch_messages(stack, org, other_org) -> None:
    with org.client("owner@example.com") as owner, org.client("intruder@example.com") as intruder:
        chat, _ = _chat_with_turns(stack, org, owner, ["how many orders"])
        msgs = chat_messages(owner, chat)
        token = token_of(intruder)
        assert intruder.delete(f"/v1/chats/{chat}/messages/{msgs[0]['id']}").status_code == 404
        assert (
            intruder.patch(f"/v1/chats/messages/{msgs[1]['id']}/feedback", json={"feedback": "negative"}).status_code
            == 404
        )
        resp, _ = sse_edit(stack.gateway_url, token, chat, msgs[0]["id"], "x")
        assert_error(resp, 404, "CHAT_NOT_FOUND")
        resp, _ = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": "hello"})
        assert_error(resp, 404, "CHAT_NOT_FOUND")
        assert chat_messages(owner, chat) == msgs


def test_send_errors_before_the_stream_keep_their_status(stack, org) -> None:
    token = org.token()
    with org.client() as http:
        chat = create_chat(http)["id"]
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
        assert_error(resp, status, code)
    with org.client() as http:
        assert chat_messages(http, chat) == []


def test_a_chat_without_database_says_so(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
        _, events = sse_turn(stack.gateway_url, org.token(), {"chat_id": chat, "message": "how many orders"})
    assert events[-1][0] == "message" and "no database connected" in events[-1][1]["content"]
    assert not [e for e in events if e[0] == "visualization"]


def test_send_rate_limit_is_30_per_minute_per_token(stack, org) -> None:
    token = org.token()
    with org.client() as http:
        chat = create_chat(http)["id"]
    for i in range(30):
        resp, _ = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": f"hello {i}"})
        assert resp.status_code == 200, i
    resp, _ = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": "one more"})
    assert_error(resp, 429, "RATE_LIMIT")
    assert int(resp.headers["Retry-After"]) >= 1
    with org.client() as http:
        messages = chat_messages(http, chat)
    assert len(messages) == 60  # the refused send stored nothing


def test_models_lists_the_embedded_engine(stack, org) -> None:
    with org.client() as http:
        body = http.get("/v1/models").json()
    assert body["default"] == "embedded-sql"
    assert {"model_id": "embedded-sql"}.items() <= body["models"][0].items()
    assert set(body["models"][0]) == {"model_id", "display_name", "description"}
