"""A chat's files are its context: every later turn may use them without re-attaching them, re-sent
`upload_ids` of the same chat are accepted, and a chat with a database and files answers from the
source its question names, or asks which one."""

from __future__ import annotations

import pytest

from tests.helpers import add_integration, assert_error, chat_messages, create_chat, post_files, token_of
from tests.turn_clients import sse_edit, sse_turn, ws_turn
from tests.upload.samples import xlsx_bytes

pytestmark = pytest.mark.storage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spend by department: Research 300, Sales 250, Ops 100.
SPEND_CSV = (
    b"department,project,spend\nSales,Alpha,100\nSales,Beta,150\nOps,Alpha,80\nOps,Beta,20\nResearch,Alpha,300\n"
)
STAFF: list[list[object]] = [
    ["Department", "Headcount", "Manager"],
    ["Sales", 5, "Ana"],
    ["Ops", 3, "Ben"],
    ["Research", 4, "Ana"],
]
BUDGET_CSV = b"department,region,spend\nSales,North,70\nOps,South,30\n"


def _upload(http, chat: str, name: str, data: bytes, mime: str) -> dict:
    resp = post_files(http, chat, (name, data, mime))
    assert resp.status_code == 200, resp.text
    return resp.json()["uploads"][0]


def _answer(events: list[tuple[str, dict]]) -> str:
    assert events and events[-1][0] == "message", events
    return events[-1][1]["content"]


def test_files_answer_follow_ups_and_may_be_sent_again(stack, org) -> None:
    token = org.token()
    with org.client() as http:
        chat = create_chat(http)["id"]  # no database
        spend = _upload(http, chat, "spend.csv", SPEND_CSV, "text/csv")
        staff = _upload(http, chat, "staff.xlsx", xlsx_bytes(STAFF), XLSX)
        first = {"chat_id": chat, "message": "What is the total spend by department?"}
        resp, events = sse_turn(stack.gateway_url, token, {**first, "upload_ids": [spend["id"], staff["id"]]})
        assert resp.status_code == 200
        text = _answer(events)
        assert "Research 300" in text and "Sales 250" in text and "Ops 100" in text, text
        first_user = events[0][1]["user_message_id"]

        # A follow-up without upload_ids (over the WebSocket) is answered from the other file of the chat.
        events = ws_turn(
            stack.gateway_url, token, {"chat_id": chat, "message": "What is the total headcount by department?"}
        )
        text = _answer(events)
        assert "no database" not in text and "Sales 5" in text and "Research 4" in text and "Ops 3" in text, text

        # A follow-up that names no file stays with the file the previous answer came from.
        ws_turn(stack.gateway_url, token, {"chat_id": chat, "message": "only Sales"})
        follow_up = chat_messages(http, chat)[-1]["metadata"]
        assert follow_up["answered_from"] == {"kind": "files", "upload_ids": [staff["id"]]}
        assert "source_choices" not in follow_up

        # Columns of both files: the tables are joined on their shared key (department).
        _, events = sse_turn(
            stack.gateway_url, token, {"chat_id": chat, "message": "What is the total spend by manager?"}
        )
        text = _answer(events)
        assert "Ana 550" in text and "Ben 100" in text, text

        # The same files sent again with a later message: accepted, each keeps its first message.
        again = {"chat_id": chat, "message": "What is the total spend by project?", "upload_ids": [spend["id"]]}
        resp, events = sse_turn(stack.gateway_url, token, again)
        assert resp.status_code == 200, resp.text
        text = _answer(events)
        assert "Alpha 480" in text and "Beta 170" in text, text
        listed = {u["id"]: u["message_id"] for u in http.get(f"/v1/chats/{chat}/uploads").json()["uploads"]}
        assert listed == {spend["id"]: first_user, staff["id"]: first_user}
        user_turns = [m for m in chat_messages(http, chat) if m["role"] == "user"]
        assert [u["id"] for u in user_turns[-1]["metadata"]["uploads"]] == [spend["id"]]
        assert "uploads" not in user_turns[1]["metadata"]  # the follow-ups sent none

        # An edit of the first question still sees the chat's files.
        resp, events = sse_edit(stack.gateway_url, token, chat, first_user, "What is the average spend by department?")
        assert resp.status_code == 200
        assert "Research 300" in _answer(events)

        # Another chat's upload stays unknown here, and this chat's files are not another chat's.
        other = create_chat(http)["id"]
        foreign = _upload(http, other, "spend.csv", SPEND_CSV, "text/csv")
        resp, _ = sse_turn(stack.gateway_url, token, {**first, "upload_ids": [foreign["id"]]})
        assert_error(resp, 404, "NOT_FOUND")
        resp, _ = sse_turn(stack.gateway_url, token, {**first, "chat_id": other, "upload_ids": [spend["id"]]})
        assert_error(resp, 404, "NOT_FOUND")
        # A file uploaded to a chat but never sent with a message is not yet its context.
        _, events = sse_turn(stack.gateway_url, token, {"chat_id": other, "message": "What is the total spend?"})
        assert "no database connected" in _answer(events)


def test_another_members_upload_is_not_found(stack, org) -> None:
    with org.client("owner@example.com") as owner, org.client("other@example.com") as other:
        chat = create_chat(owner)["id"]
        upload = _upload(owner, chat, "spend.csv", SPEND_CSV, "text/csv")
        resp, _ = sse_turn(
            stack.gateway_url,
            token_of(owner),
            {"chat_id": chat, "message": "total spend", "upload_ids": [upload["id"]]},
        )
        assert resp.status_code == 200
        theirs = create_chat(other)["id"]
        body = {"chat_id": theirs, "message": "total spend", "upload_ids": [upload["id"]]}
        resp, _ = sse_turn(stack.gateway_url, token_of(other), body)
        assert_error(resp, 404, "NOT_FOUND")


def test_a_chat_with_a_database_and_a_file_answers_from_the_source_named(stack, org) -> None:
    token = org.token()
    with org.client() as http:
        chat = create_chat(http, integration_id=add_integration(stack, org.id))["id"]
        budget = _upload(http, chat, "budget.csv", BUDGET_CSV, "text/csv")
        body = {"chat_id": chat, "message": "What is the total spend by department?", "upload_ids": [budget["id"]]}
        _, events = sse_turn(stack.gateway_url, token, body)
        assert "Sales 70" in _answer(events) and "Ops 30" in _answer(events)

        _, events = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": "How many orders by status?"})
        assert "delivered" in _answer(events).lower()

        _, events = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": "How many regions are there?"})
        text = _answer(events)
        assert "Retail" in text and "budget.csv" in text and "which one" in text.lower(), text
        answers = [m for m in chat_messages(http, chat) if m["role"] == "assistant"]
        assert "FROM budget" in answers[0]["metadata"]["sql"]
        assert "orders" in answers[1]["metadata"]["sql"]
        assert answers[0]["metadata"]["answered_from"] == {"kind": "files", "upload_ids": [budget["id"]]}
        assert answers[1]["metadata"]["answered_from"] == {"kind": "database"}
        declined = answers[2]["metadata"]
        assert declined["declined"] is True and declined["source_choices"] == ["Retail", "budget.csv"]
        assert "sql" not in declined and not declined["visualizations"] and "answered_from" not in declined
