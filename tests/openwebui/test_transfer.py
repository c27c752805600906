"""Export (NDJSON, streamed), import of both shapes, share, clone and fork (docs/openwebui.md)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import Org
from tests.openwebui.helpers import (
    add_turn,
    branch,
    check_chat,
    check_tree,
    detail_error,
    linear,
    new_document,
    ok,
    webui_client,
)

pytestmark = pytest.mark.storage


def _export(ui: httpx.Client) -> list[dict]:
    with ui.stream("GET", "/api/v1/chats/all") as resp:
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/x-ndjson")
        return [json.loads(line) for line in resp.iter_lines() if line]


def test_an_export_imports_back_unchanged(org: Org) -> None:
    with webui_client(org.base_url, org.token("a@example.com")) as ui:
        for i in range(3):
            doc = new_document(f"Chat {i}", extra={"n": i})
            add_turn(doc["history"], f"question {i}", f"answer {i}")
            add_turn(doc["history"], f"follow-up {i}", f"second answer {i}", parent=None)  # a second root
            chat_id = ok(ui.post("/api/v1/chats/new", json={"chat": doc}))["id"]
            ok(ui.post(f"/api/v1/chats/{chat_id}/tags", json={"name": f"Tag {i}"}))
        ok(ui.post(f"/api/v1/chats/{chat_id}/pin"))
        exported = _export(ui)
        assert len(exported) == 3 and all(check_chat(c) for c in exported)
        assert ok(ui.get("/api/v1/chats/all", params={"format": "json"})) == exported

    forms = [
        {
            "chat": c["chat"],
            "meta": c["meta"],
            "pinned": c["pinned"],
            "created_at": c["created_at"] - 86_400,
            "updated_at": c["updated_at"] - 86_400,
            "folder_id": "not-a-folder-of-mine",  # dropped quietly
        }
        for c in exported
    ]
    with webui_client(org.base_url, org.token("b@example.com")) as other:
        imported = ok(other.post("/api/v1/chats/import", json={"chats": forms}))
        assert [check_chat(c)["title"] for c in imported] == ["Chat 2", "Chat 1", "Chat 0"]
        assert [c["updated_at"] for c in imported] == [c["updated_at"] - 86_400 for c in exported]
        assert [c["meta"] for c in imported] == [c["meta"] for c in exported] and imported[0]["pinned"]
        assert all(c["folder_id"] is None for c in imported)
        again = {c["chat"]["title"]: c for c in _export(other)}
        for original in exported:
            copy = again[original["title"]]
            assert copy["id"] != original["id"]
            assert {k: v for k, v in copy["chat"].items() if k != "id"} == {
                k: v for k, v in original["chat"].items() if k != "id"
            }
        # The older shape: one form, one chat back.
        single = ok(other.post("/api/v1/chats/import", json={"chat": {"title": "Alone", "extra": 1}}))
        assert check_chat(single)["extra"] == 1 and single["title"] == "Alone"


def test_an_import_is_all_or_nothing(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        good = {"chat": {"title": "good"}}
        cyclic = {"chat": {"history": {"messages": {"a": {"parentId": "a", "role": "user", "content": "x"}}}}}
        detail = detail_error(ui.post("/api/v1/chats/import", json={"chats": [good, cyclic]}), 422)
        assert detail[0]["loc"][:4] == ["body", "chats", 1, "chat"], detail
        detail = detail_error(ui.post("/api/v1/chats/import", json={"chats": [good, {"chat": "x"}]}), 422)
        assert detail[0]["loc"] == ["body", "chats", 1, "chat"], detail
        detail_error(ui.post("/api/v1/chats/import", json={"chats": "x"}), 422)
        assert ok(ui.get("/api/v1/chats/")) == []


def test_share_snapshot_refresh_revoke_and_clone_of_a_share(org: Org) -> None:
    with webui_client(org.base_url, org.token("owner@example.com")) as ui:
        doc = new_document("Shared")
        add_turn(doc["history"], "q1", "a1")
        chat_id = ok(ui.post("/api/v1/chats/new", json={"chat": doc}))["id"]
        share_id = ok(ui.post(f"/api/v1/chats/{chat_id}/share"))["share_id"]
        add_turn(doc["history"], "q2", "a2")
        ok(ui.post(f"/api/v1/chats/{chat_id}", json={"chat": {"history": doc["history"]}}))
        with webui_client(org.base_url, org.token("reader@example.com")) as reader:
            frozen = ok(reader.get(f"/api/v1/chats/share/{share_id}"))
            assert frozen["id"] == share_id and len(check_chat(frozen)["history"]["messages"]) == 2
            assert ok(ui.post(f"/api/v1/chats/{chat_id}/share"))["share_id"] == share_id  # a fresh snapshot
            assert len(ok(reader.get(f"/api/v1/chats/share/{share_id}"))["chat"]["history"]["messages"]) == 4
            copy = ok(reader.post(f"/api/v1/chats/{share_id}/clone/shared"))
            assert copy["user_id"] != frozen["user_id"] and check_chat(copy)["originalChatId"] == chat_id
            assert copy["title"] == "Clone of Shared" and len(copy["chat"]["history"]["messages"]) == 4
            shares = ok(ui.get("/api/v1/chats/shared"))
            assert [(s["chat_id"], s["share_id"], s["title"]) for s in shares] == [(chat_id, share_id, "Shared")]
            assert ok(ui.delete(f"/api/v1/chats/{chat_id}/share")) is True
            assert ok(ui.delete(f"/api/v1/chats/{chat_id}/share")) is False
            detail_error(reader.get(f"/api/v1/chats/share/{share_id}"), 404)
            assert ok(ui.get(f"/api/v1/chats/{chat_id}"))["share_id"] is None
            ok(ui.post(f"/api/v1/chats/{chat_id}/share"))
            assert ok(ui.delete("/api/v1/chats/share/all")) is True and ok(ui.get("/api/v1/chats/shared")) == []


def test_clone_keeps_every_branch_and_fork_only_one(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        doc = new_document("Source")
        history = doc["history"]
        q1, a1 = add_turn(history, "q1", "a1")
        q2, a2 = add_turn(history, "q2", "a2")
        alt_q, alt_a = add_turn(history, "alt q2", "alt a2", parent=a1)
        history["currentId"] = a2
        doc["messages"] = linear(history)
        chat_id = ok(ui.post("/api/v1/chats/new", json={"chat": doc}))["id"]
        ok(ui.post(f"/api/v1/chats/{chat_id}/tags", json={"name": "kept"}))

        clone = ok(ui.post(f"/api/v1/chats/{chat_id}/clone", json={"title": "My copy"}))
        cloned = check_chat(clone)
        check_tree(cloned["history"])
        assert clone["title"] == "My copy" and clone["meta"] == {"tags": ["kept"]}
        assert set(cloned["history"]["messages"]) == {q1, a1, q2, a2, alt_q, alt_a}
        assert cloned["branchPointMessageId"] == a2 and branch(cloned["history"]) == [q1, a1, q2, a2]

        fork = ok(ui.post(f"/api/v1/chats/{chat_id}/fork", json={"message_id": alt_a}))
        forked = check_chat(fork)
        assert fork["title"] == "Source (fork)" and set(forked["history"]["messages"]) == {q1, a1, alt_q, alt_a}
        assert fork["meta"]["forked_from"] == chat_id and fork["meta"]["forked_from_message_id"] == alt_a
        assert branch(forked["history"]) == [q1, a1, alt_q, alt_a]
        detail_error(ui.post(f"/api/v1/chats/{chat_id}/fork", json={"message_id": "nope"}), 404)
        # The copies are chats of their own: editing one leaves the source alone.
        ok(ui.post(f"/api/v1/chats/{clone['id']}", json={"chat": {"title": "Changed"}}))
        assert ok(ui.get(f"/api/v1/chats/{chat_id}"))["title"] == "Source"
