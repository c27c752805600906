"""One store, two views (docs/openwebui.md): a chat made on either side is listed, read, renamed
and deleted on both; Trellis shows the current branch and its turns extend the tree there."""

from __future__ import annotations

import pytest

from devstack.stack import Stack
from tests.conftest import Org
from tests.helpers import add_integration, chat_messages, create_chat, token_of
from tests.openwebui.helpers import (
    add_turn,
    branch,
    check_chat,
    check_tree,
    detail_error,
    new_document,
    ok,
    webui_client,
)
from tests.turn_clients import sse_edit, sse_turn

pytestmark = pytest.mark.storage


def test_a_chat_made_by_open_webui_is_a_trellis_chat(org: Org) -> None:
    with org.client() as trellis, webui_client(org.base_url, token_of(trellis)) as ui:
        doc = new_document("Quarterly numbers")
        q1, a1 = add_turn(doc["history"], "first question", "first answer")
        q2, a2 = add_turn(doc["history"], "second question", "second answer")
        alt_q, alt_a = add_turn(doc["history"], "another second question", "another answer", parent=a1)
        doc["history"]["currentId"] = a2
        chat_id = ok(ui.post("/api/v1/chats/new", json={"chat": doc}))["id"]

        listed = ok(trellis.get("/v1/chats"))["chats"]
        assert [(c["id"], c["title"], c["preview"]) for c in listed] == [
            (chat_id, "Quarterly numbers", "first question")
        ]
        shown = chat_messages(trellis, chat_id)
        assert [(m["id"], m["role"], m["content"]) for m in shown] == [
            (q1, "user", "first question"),
            (a1, "assistant", "first answer"),
            (q2, "user", "second question"),
            (a2, "assistant", "second answer"),
        ]
        # A branch switch in Open WebUI is what Trellis shows next.
        ok(ui.post(f"/api/v1/chats/{chat_id}", json={"chat": {"history": {"messages": {}, "currentId": alt_a}}}))
        assert [m["id"] for m in chat_messages(trellis, chat_id)] == [q1, a1, alt_q, alt_a]

        assert (
            ok(trellis.put(f"/v1/chats/{chat_id}", json={"title": "Renamed by Trellis"}))["title"]
            == "Renamed by Trellis"
        )
        assert check_chat(ok(ui.get(f"/api/v1/chats/{chat_id}")))["title"] == "Renamed by Trellis"
        ok(trellis.delete(f"/v1/chats/{chat_id}"))
        detail_error(ui.get(f"/api/v1/chats/{chat_id}"), 404)
        assert ok(ui.get("/api/v1/chats/")) == []


def test_a_trellis_chat_is_an_open_webui_chat_and_its_turns_extend_the_branch(stack: Stack, org: Org) -> None:
    integration = add_integration(stack, org.id)
    with org.client() as trellis, webui_client(org.base_url, token_of(trellis)) as ui:
        token = token_of(trellis)
        chat_id = create_chat(trellis, title="Sales", integration_id=integration)["id"]
        assert [c["id"] for c in ok(ui.get("/api/v1/chats/", params={"page": 1}))] == [chat_id]
        empty = check_chat(ok(ui.get(f"/api/v1/chats/{chat_id}")))
        assert empty["history"] == {"messages": {}, "currentId": None} and empty["messages"] == []

        resp, events = sse_turn(stack.gateway_url, token, {"chat_id": chat_id, "message": "how many customers"})
        assert resp.status_code == 200 and events[-1][0] == "message", events
        page = check_chat(ok(ui.get(f"/api/v1/chats/{chat_id}")))
        check_tree(page["history"])
        question, answer = branch(page["history"])
        nodes = page["history"]["messages"]
        assert nodes[question]["role"] == "user" and nodes[question]["content"] == "how many customers"
        assert nodes[answer]["role"] == "assistant" and nodes[answer]["done"] is True
        assert nodes[answer]["model"] == "embedded-sql" and isinstance(nodes[answer]["timestamp"], int)

        # Open WebUI adds a turn on the branch; the next Trellis turn goes under it, not elsewhere.
        history = page["history"]
        ui_q, ui_a = add_turn(history, "a question from Open WebUI", "its answer")
        ok(ui.post(f"/api/v1/chats/{chat_id}", json={"chat": {"history": history, "title": "Sales (webui)"}}))
        assert ok(trellis.get("/v1/chats"))["chats"][0]["title"] == "Sales (webui)"
        resp, events = sse_turn(stack.gateway_url, token, {"chat_id": chat_id, "message": "how many products"})
        assert events[-1][0] == "message", events
        page = check_chat(ok(ui.get(f"/api/v1/chats/{chat_id}")))
        check_tree(page["history"])
        ids = branch(page["history"])
        assert ids[:4] == [question, answer, ui_q, ui_a] and len(ids) == 6
        assert [m["content"] for m in chat_messages(trellis, chat_id)][-2] == "how many products"

        # A Trellis edit of the last question: the tree stays consistent, Trellis shows the new branch.
        resp, events = sse_edit(stack.gateway_url, token, chat_id, ids[4], "how many orders")
        assert events[-1][0] == "message", events
        page = check_chat(ok(ui.get(f"/api/v1/chats/{chat_id}")))
        check_tree(page["history"])
        edited = branch(page["history"])
        assert edited[:4] == ids[:4] and page["history"]["messages"][edited[4]]["content"] == "how many orders"
        assert [m["id"] for m in chat_messages(trellis, chat_id)] == edited
        # Nothing was lost: the edited question and its answer stay as the previous branch, siblings
        # of the new question under the same parent.
        messages = page["history"]["messages"]
        assert ids[4] in messages and ids[5] in messages and messages[ids[5]]["parentId"] == ids[4]
        assert set(messages[ids[3]]["childrenIds"]) == {ids[4], edited[4]}

        # Deleting a message on the Trellis side takes its subtree; the pointer moves to its parent.
        trellis.delete(f"/v1/chats/{chat_id}/messages/{ui_q}").raise_for_status()
        history = check_chat(ok(ui.get(f"/api/v1/chats/{chat_id}")))["history"]
        check_tree(history)
        assert set(history["messages"]) == {question, answer} and history["currentId"] == answer

        ok(ui.delete(f"/api/v1/chats/{chat_id}"))
        assert trellis.get(f"/v1/chats/{chat_id}").status_code == 404
