"""Turns with attached files: linked to the user message, shown in history, used in the answer."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import add_integration, assert_error, chat_messages, create_chat, post_files, token_of
from tests.turn_clients import sse_turn
from tests.upload.samples import xlsx_bytes

pytestmark = pytest.mark.storage

SALES_CSV = b"region,amount,units\nNorth,1200.50,3\nSouth,800,2\nEast,99.50,1\nWest,400,4\n"


def _upload(http, chat: str, name: str, data: bytes, mime: str) -> dict:
    resp = post_files(http, chat, (name, data, mime))
    assert resp.status_code == 200, resp.text
    return resp.json()["uploads"][0]


def test_attached_csv_is_linked_shown_and_answered_from(stack, org) -> None:
    token = org.token()
    with org.client() as http:
        chat = create_chat(http, integration_id=add_integration(stack, org.id))["id"]
        upload = _upload(http, chat, "sales.csv", SALES_CSV, "text/csv")
        assert upload["message_id"] is None
        resp, events = sse_turn(
            stack.gateway_url,
            token,
            {
                "chat_id": chat,
                "message": "what is the total amount in the attached sales file?",
                "upload_ids": [upload["id"]],
            },
        )
        assert resp.status_code == 200 and events[-1][0] == "message", events
        assert "2,500" in events[-1][1]["content"]  # 1200.50 + 800 + 99.50 + 400
        history = chat_messages(http, chat)
        user = history[0]
        assert user["id"] == events[0][1]["user_message_id"]
        [meta] = user["metadata"]["uploads"]
        assert {k: meta[k] for k in ("id", "filename", "upload_type", "mime_type", "file_size")} == {
            "id": upload["id"],
            "filename": "sales.csv",
            "upload_type": "document",
            "mime_type": "text/csv",
            "file_size": len(SALES_CSV),
        }
        assert httpx.get(meta["presigned_url"]).content == SALES_CSV  # signed anew for this read
        listed = http.get(f"/v1/chats/{chat}/uploads").json()["uploads"]
        assert listed[0]["message_id"] == user["id"]
        # A question about the connected database still goes to the database.
        _, events = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": "how many orders"})
        assert "4,000 rows" in events[-1][1]["content"]


def test_attached_spreadsheet_without_a_database(stack, org) -> None:
    token = org.token()
    rows = [["Product", "Revenue"], ["Widget", 10], ["Gadget", 32], ["Doohickey", 8]]
    with org.client() as http:
        chat = create_chat(http)["id"]
        upload = _upload(
            http,
            chat,
            "revenue.xlsx",
            xlsx_bytes(rows),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        _, events = sse_turn(
            stack.gateway_url, token, {"chat_id": chat, "message": "show revenue", "upload_ids": [upload["id"]]}
        )
    table = next(d for n, d in events if n == "visualization")
    assert table["headers"] == ["product", "revenue"] and len(table["rows"]) == 3


def test_uploads_of_another_chat_or_member_cannot_be_attached(stack, org) -> None:
    token = org.token("owner@example.com")
    with org.client("owner@example.com") as owner, org.client("other@example.com") as other:
        chat_a = create_chat(owner)["id"]
        chat_b = create_chat(owner)["id"]
        upload = _upload(owner, chat_a, "sales.csv", SALES_CSV, "text/csv")
        resp, _ = sse_turn(stack.gateway_url, token, {"chat_id": chat_b, "message": "x", "upload_ids": [upload["id"]]})
        assert_error(resp, 404, "NOT_FOUND")
        other_chat = create_chat(other)["id"]
        resp, _ = sse_turn(
            stack.gateway_url,
            token_of(other),
            {"chat_id": other_chat, "message": "x", "upload_ids": [upload["id"]]},
        )
        assert resp.status_code == 404
        resp, _ = sse_turn(stack.gateway_url, token, {"chat_id": chat_a, "message": "x", "upload_ids": ["nope"]})
        assert resp.status_code == 404
        assert chat_messages(owner, chat_b) == []
        assert owner.get(f"/v1/chats/{chat_a}/uploads").json()["uploads"][0]["message_id"] is None


def test_deleting_a_chat_deletes_its_uploads(stack, org) -> None:
    with org.client() as http:
        chats = [create_chat(http)["id"] for _ in range(3)]
        uploads = [_upload(http, chat, "sales.csv", SALES_CSV, "text/csv") for chat in chats]
        assert httpx.get(uploads[0]["presigned_url"]).status_code == 200
        assert http.delete(f"/v1/chats/{chats[0]}").status_code == 200
        assert http.request("DELETE", "/v1/chats", json={"chat_ids": [chats[1]]}).json()["deleted_count"] == 1
        for upload in uploads[:2]:
            assert httpx.get(upload["presigned_url"]).status_code == 404  # the object is gone
        assert httpx.get(uploads[2]["presigned_url"]).status_code == 200  # the other chat keeps its file
        assert http.delete(f"/v1/chats/uploads/{uploads[0]['id']}").status_code == 404
