"""The requests Open WebUI's sidebar and chat page make, replayed in order, every answer's shape
checked against the reference (docs/openwebui.md): start-up, create, a save after each turn, a
branch switch, rename, tag, pin, move to a folder, archive, search, share, clone, delete."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import Org
from tests.openwebui.helpers import (
    add_turn,
    branch,
    check_chat,
    check_folder,
    check_summaries,
    check_tags,
    check_tree,
    detail_error,
    linear,
    message,
    new_document,
    ok,
    webui_client,
)

pytestmark = pytest.mark.storage


def test_the_sidebar_and_chat_page_sequence(org: Org) -> None:
    token = org.token("ui@example.com")
    with webui_client(org.base_url, token) as ui:
        # Start-up: a new member has nothing yet, and every call answers 200.
        assert check_tags(ok(ui.get("/api/v1/chats/all/tags"))) == []
        assert check_summaries(ok(ui.get("/api/v1/chats/pinned"))) == []
        assert ok(ui.get("/api/v1/folders/")) == []
        assert check_summaries(ok(ui.get("/api/v1/chats/", params={"page": 1}))) == []

        # Create, as the UI does on the first question: the server makes the id.
        doc = new_document(id=str(uuid.uuid4()))
        history = doc["history"]
        first_q, first_a = add_turn(history, "What was the revenue in March?", "Revenue in March was 120.")
        doc["messages"] = linear(history)
        created = ok(ui.post("/api/v1/chats/new", json={"chat": doc, "folder_id": None}))
        stored = check_chat(created)
        chat_id = created["id"]
        assert chat_id != doc["id"] and str(uuid.UUID(chat_id)) == chat_id
        assert (created["title"], created["share_id"], created["archived"], created["pinned"]) == (
            "New Chat",
            None,
            False,
            False,
        )
        assert created["meta"] == {} and created["folder_id"] is None
        assert (
            stored["id"] == chat_id and stored["models"] == ["embedded-sql"] and stored["timestamp"] == doc["timestamp"]
        )
        check_tree(stored["history"])
        assert branch(stored["history"]) == [first_q, first_a]
        assert [m["id"] for m in stored["messages"]] == [first_q, first_a]

        # The chat page loads it and its tags; the sidebar refreshes.
        page = ok(ui.get(f"/api/v1/chats/{chat_id}"))
        assert check_chat(page)["history"]["messages"][first_a]["modelName"] == "Embedded"
        assert ok(ui.get(f"/api/v1/chats/{chat_id}/tags")) == []
        listed = check_summaries(ok(ui.get("/api/v1/chats/", params={"page": 1})))
        assert [c["id"] for c in listed] == [chat_id]

        # Save after each turn: the whole history, as the stock UI sends it.
        second_q, second_a = add_turn(history, "And in April?", "Revenue in April was 95.")
        save = {"models": ["embedded-sql"], "history": history, "messages": linear(history), "params": {}, "files": []}
        saved = check_chat(ok(ui.post(f"/api/v1/chats/{chat_id}", json={"chat": save})))
        assert saved["history"]["currentId"] == second_a and saved["files"] == [] and saved["title"] == "New Chat"

        # Regenerate: a sibling answer; then the UI switches back to the first answer.
        regenerated = message("assistant", "April revenue: 95 (regenerated).", second_q, model="embedded-sql")
        history["messages"][regenerated["id"]] = regenerated
        history["messages"][second_q]["childrenIds"].append(regenerated["id"])
        history["currentId"] = regenerated["id"]
        ok(ui.post(f"/api/v1/chats/{chat_id}", json={"chat": {**save, "history": history}}))
        history["currentId"] = second_a
        ok(
            ui.post(
                f"/api/v1/chats/{chat_id}", json={"chat": {**save, "history": history, "messages": linear(history)}}
            )
        )
        page = check_chat(ok(ui.get(f"/api/v1/chats/{chat_id}")))
        check_tree(page["history"])
        assert page["history"]["messages"][second_q]["childrenIds"] == [second_a, regenerated["id"]]
        assert [m["id"] for m in page["messages"]] == [first_q, first_a, second_q, second_a]

        # Rename (the title task's save), then tag.
        renamed = ok(ui.post(f"/api/v1/chats/{chat_id}", json={"chat": {"title": "Revenue by month"}}))
        assert renamed["title"] == "Revenue by month" and check_chat(renamed)["models"] == ["embedded-sql"]
        assert check_tags(ok(ui.post(f"/api/v1/chats/{chat_id}/tags", json={"name": "Sales Report"}))) == [
            "sales_report"
        ]
        assert check_tags(ok(ui.get("/api/v1/chats/all/tags"))) == ["sales_report"]
        assert ok(ui.get(f"/api/v1/chats/{chat_id}"))["meta"] == {"tags": ["sales_report"]}

        # Pin: the chat leaves the main list for the pinned one.
        assert ok(ui.post(f"/api/v1/chats/{chat_id}/pin"))["pinned"] is True
        assert ok(ui.get(f"/api/v1/chats/{chat_id}/pinned")) is True
        assert [c["id"] for c in check_summaries(ok(ui.get("/api/v1/chats/pinned")))] == [chat_id]
        assert ok(ui.get("/api/v1/chats/", params={"page": 1})) == []
        assert [c["id"] for c in ok(ui.get("/api/v1/chats/", params={"page": 1, "include_pinned": "true"}))] == [
            chat_id
        ]

        # Into a new folder: unpinned, and only in the folder's list.
        folder = check_folder(ok(ui.post("/api/v1/folders/", json={"name": "Finance"})))
        moved = ok(ui.post(f"/api/v1/chats/{chat_id}/folder", json={"folder_id": folder["id"]}))
        assert (moved["folder_id"], moved["pinned"]) == (folder["id"], False)
        assert [f["id"] for f in ok(ui.get("/api/v1/folders/"))] == [folder["id"]]
        assert [c["id"] for c in ok(ui.get(f"/api/v1/chats/folder/{folder['id']}/list"))] == [chat_id]
        assert [check_chat(c)["title"] for c in ok(ui.get(f"/api/v1/chats/folder/{folder['id']}"))] == [
            "Revenue by month"
        ]
        assert ok(ui.get("/api/v1/chats/", params={"page": 1})) == []

        # Archive: out of its folder and every list but the archived one; then back.
        archived = ok(ui.post(f"/api/v1/chats/{chat_id}/archive"))
        assert archived["archived"] is True and archived["folder_id"] is None
        assert [c["id"] for c in check_summaries(ok(ui.get("/api/v1/chats/archived")))] == [chat_id]
        assert ok(ui.get("/api/v1/chats/all/tags")) == []  # tags of archived chats are not the member's
        assert ok(ui.post(f"/api/v1/chats/{chat_id}/archive"))["archived"] is False
        assert [c["id"] for c in ok(ui.get("/api/v1/chats/", params={"page": 1}))] == [chat_id]

        # Search: words in a message (full-text), the title, and the filters.
        for text in ("april", "revenue in march", "by month", "tag:sales_report", "revenue pinned:false"):
            found = check_summaries(ok(ui.get("/api/v1/chats/search", params={"text": text})))
            assert [c["id"] for c in found] == [chat_id], text
        for text in ("zebra", "tag:none", "archived:true", "shared:true", "folder:finance"):
            assert ok(ui.get("/api/v1/chats/search", params={"text": text})) == [], text

        # Share, read by a colleague, clone, and delete.
        shared = ok(ui.post(f"/api/v1/chats/{chat_id}/share"))
        share_id = shared["share_id"]
        assert share_id and check_chat(shared)["history"]["currentId"] == second_a
        with webui_client(org.base_url, org.token("colleague@example.com")) as colleague:
            snapshot = check_chat(ok(colleague.get(f"/api/v1/chats/share/{share_id}")))
            assert snapshot["title"] == "Revenue by month" and len(snapshot["history"]["messages"]) == 5
            detail_error(colleague.get(f"/api/v1/chats/{chat_id}"), 404)
        clone = ok(ui.post(f"/api/v1/chats/{chat_id}/clone", json={}))
        cloned = check_chat(clone)
        assert clone["title"] == "Clone of Revenue by month" and clone["id"] != chat_id
        assert cloned["originalChatId"] == chat_id and cloned["branchPointMessageId"] == second_a
        assert cloned["history"]["messages"].keys() == page["history"]["messages"].keys()
        assert ok(ui.delete(f"/api/v1/chats/{chat_id}")) is True
        detail_error(ui.get(f"/api/v1/chats/{chat_id}"), 404)
        detail_error(ui.get(f"/api/v1/chats/share/{share_id}"), 404)  # the share went with the chat
        assert [c["id"] for c in ok(ui.get("/api/v1/chats/", params={"page": 1}))] == [clone["id"]]


def test_the_reference_documents_short_path_creates_too(org: Org) -> None:
    """`POST /api/chats/new` (the seed document's path) is the same route, with the documented body."""
    with webui_client(org.base_url, org.token()) as ui:
        body = {"chat": {"title": "Hello", "history": {"messages": {}, "currentId": None}}, "folder_id": None}
        created = ok(ui.post("/api/chats/new", json=body))
        assert check_chat(created) == {
            "title": "Hello",
            "id": created["id"],
            "history": {"messages": {}, "currentId": None},
            "messages": [],
        }
        assert ok(ui.get(f"/api/chats/{created['id']}"))["id"] == created["id"]
        assert ok(ui.post("/api/chats/new", json={"chat": {}}))["title"] == "New Chat"
