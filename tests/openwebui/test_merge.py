"""Updates merge (docs/openwebui.md): a stale or shorter history never deletes a message, writers
of one chat are serialised, unknown keys round-trip, and bad documents are refused whole."""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

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
    message,
    new_document,
    ok,
    webui_client,
)

pytestmark = pytest.mark.storage


def _create(ui: httpx.Client, doc: dict[str, Any]) -> str:
    return str(ok(ui.post("/api/v1/chats/new", json={"chat": doc}))["id"])


def _history(ui: httpx.Client, chat_id: str) -> dict[str, Any]:
    page = check_chat(ok(ui.get(f"/api/v1/chats/{chat_id}")))
    check_tree(page["history"])
    return page["history"]


def test_two_stale_writers_lose_nothing_and_both_answers_hang_from_their_parent(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as a, webui_client(org.base_url, org.token()) as b:
        doc = new_document()
        q1, a1 = add_turn(doc["history"], "first question", "first answer")
        chat_id = _create(a, doc)
        seen_a, seen_b = _history(a, chat_id), _history(b, chat_id)  # both read the same chat
        qa, aa = add_turn(seen_a, "question from A", "answer for A")
        qb, ab = add_turn(seen_b, "question from B", "answer for B")
        ok(a.post(f"/api/v1/chats/{chat_id}", json={"chat": {"history": seen_a, "messages": linear(seen_a)}}))
        ok(b.post(f"/api/v1/chats/{chat_id}", json={"chat": {"history": seen_b, "messages": linear(seen_b)}}))
        history = _history(a, chat_id)
        assert set(history["messages"]) == {q1, a1, qa, aa, qb, ab}
        assert history["messages"][a1]["childrenIds"] == [qa, qb]
        assert history["currentId"] == ab  # what was posted last
        # A stale writer posting its old, shorter history again deletes nothing either.
        ok(a.post(f"/api/v1/chats/{chat_id}", json={"chat": {"history": seen_a}}))
        assert set(_history(a, chat_id)["messages"]) == {q1, a1, qa, aa, qb, ab}


def test_concurrent_writers_of_one_chat_are_serialised(org: Org) -> None:
    token = org.token()
    with webui_client(org.base_url, token) as ui:
        doc = new_document()
        _, root_answer = add_turn(doc["history"], "root", "root answer")
        chat_id = _create(ui, doc)
    added: list[str] = []
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with webui_client(org.base_url, token) as client:
                for i in range(4):
                    history = {"messages": {}, "currentId": None}
                    q, a = add_turn(history, f"q {n}-{i}", f"a {n}-{i}", parent=None)
                    history["messages"][q]["parentId"] = root_answer
                    ok(client.post(f"/api/v1/chats/{chat_id}", json={"chat": {"history": history}}))
                    added.extend([q, a])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with webui_client(org.base_url, token) as ui:
        history = _history(ui, chat_id)
    assert set(added) <= set(history["messages"]) and len(history["messages"]) == 2 + len(added) == 34
    assert len(history["messages"][root_answer]["childrenIds"]) == 16


def test_saves_merge_keys_and_keep_what_they_do_not_send(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        doc = new_document(system="Be brief.", unknown_top={"nested": [1, 2.5, None, "x"], "big": 2**60})
        q, a = add_turn(doc["history"], "hello", "hi")
        doc["history"]["messages"][a].update(
            sources=[{"source": {"name": "doc.pdf"}}], usage={"total_tokens": 12}, statusHistory=[]
        )
        chat_id = _create(ui, doc)
        ok(ui.post(f"/api/v1/chats/{chat_id}", json={"chat": {"params": {"temperature": 0.2}}}))  # no history
        stored = check_chat(ok(ui.get(f"/api/v1/chats/{chat_id}")))
        assert stored["unknown_top"] == {"nested": [1, 2.5, None, "x"], "big": 2**60}
        assert stored["system"] == "Be brief." and stored["params"] == {"temperature": 0.2}
        assert stored["history"]["currentId"] == a and set(stored["history"]["messages"]) == {q, a}
        got = stored["history"]["messages"][a]
        sent = doc["history"]["messages"][a]
        assert {k: v for k, v in got.items() if k != "childrenIds"} == {
            k: v for k, v in sent.items() if k != "childrenIds"
        }

        # A known message's keys are merged; the answer holds only what the save wrote.
        edited = {**sent, "content": "hi there", "annotation": {"rating": 1}}
        answer = ok(
            ui.post(
                f"/api/v1/chats/{chat_id}",
                json={"chat": {"history": {"messages": {a: edited}, "currentId": a}}},
            )
        )
        assert set(check_chat(answer)["history"]["messages"]) == {a}
        after = _history(ui, chat_id)["messages"][a]
        assert after["content"] == "hi there" and after["annotation"] == {"rating": 1} and after["usage"]
        # A message that is not a string keeps its shape; a posted parentId of a known message is ignored.
        blocks = {**after, "content": [{"type": "text", "text": "block"}], "parentId": None}
        ok(ui.post(f"/api/v1/chats/{chat_id}", json={"chat": {"history": {"messages": {a: blocks}}}}))
        after = _history(ui, chat_id)["messages"][a]
        assert after["content"] == [{"type": "text", "text": "block"}] and after["parentId"] == q


def test_a_legacy_messages_list_becomes_a_linear_history(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        legacy = [{"id": "m1", "role": "user", "content": "one"}, {"role": "assistant", "content": "two"}]
        stored = check_chat(ok(ui.post("/api/v1/chats/new", json={"chat": {"title": "Old", "messages": legacy}})))
        history = stored["history"]
        check_tree(history)
        assert [history["messages"][i]["content"] for i in branch(history)] == ["one", "two"]
        assert branch(history)[0] == "m1"


def test_the_message_route_writes_into_a_chat(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        doc = new_document()
        _, a = add_turn(doc["history"], "q", "partial")
        chat_id = _create(ui, doc)
        ok(ui.post(f"/api/v1/chats/{chat_id}/messages/{a}", json={"content": "complete answer"}))
        created = ok(ui.post(f"/api/v1/chats/{chat_id}/messages/server-made", json={"content": "appended"}))
        assert check_chat(created)["history"]["currentId"] == "server-made"
        history = _history(ui, chat_id)
        assert history["messages"][a]["content"] == "complete answer"
        assert history["messages"]["server-made"]["parentId"] == a
        assert history["messages"]["server-made"]["role"] == "assistant"


def test_a_message_is_deleted_only_on_purpose_with_its_subtree(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        doc = new_document()
        q1, a1 = add_turn(doc["history"], "q1", "a1")
        q2, a2 = add_turn(doc["history"], "q2", "a2")
        q3, a3 = add_turn(doc["history"], "q3", "a3", parent=a1)
        stale = copy.deepcopy(doc["history"])
        chat_id = _create(ui, doc)
        answer = ok(ui.delete(f"/api/v1/chats/{chat_id}/messages/{q3}"))
        assert check_chat(answer)["history"]["currentId"] == a1  # the pointer was in the subtree
        history = _history(ui, chat_id)
        assert set(history["messages"]) == {q1, a1, q2, a2} and history["messages"][a1]["childrenIds"] == [q2]
        detail_error(ui.delete(f"/api/v1/chats/{chat_id}/messages/{q3}"), 404)
        # A stale client still holding q3 and a3 brings them back: they are new messages to this chat.
        stale["currentId"] = a2
        ok(ui.post(f"/api/v1/chats/{chat_id}", json={"chat": {"history": stale}}))
        assert set(_history(ui, chat_id)["messages"]) == {q1, a1, q2, a2, q3, a3}


def test_bad_documents_are_refused_whole(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        doc = new_document()
        add_turn(doc["history"], "q", "a")
        chat_id = _create(ui, doc)
        before = ok(ui.get(f"/api/v1/chats/{chat_id}"))

        cyclic = {
            "messages": {"x": message("user", "x", "y") | {"id": "x"}, "y": message("user", "y", "x") | {"id": "y"}}
        }
        missing = {"messages": {"z": message("user", "z", "nowhere") | {"id": "z"}}, "currentId": "z"}
        bad_current = {"messages": {}, "currentId": "ghost"}
        for history in (cyclic, missing, bad_current):
            for url in ("/api/v1/chats/new", f"/api/v1/chats/{chat_id}"):
                detail = detail_error(ui.post(url, json={"chat": {"history": history}}), 422)
                assert detail[0]["loc"][:3] == ["body", "chat", "history"], detail
        for body in ({"chat": "text"}, {"chat": None}, {"chat": []}, {}, {"folder_id": None}):
            detail = detail_error(ui.post("/api/v1/chats/new", json=body), 422)
            assert detail[0]["loc"] == ["body", "chat"], (body, detail)
        detail_error(
            ui.post("/api/v1/chats/new", content=b"{not json", headers={"Content-Type": "application/json"}), 422
        )
        detail_error(ui.post("/api/v1/chats/new", json={"chat": {"title": 5}}), 422)
        assert ok(ui.get(f"/api/v1/chats/{chat_id}")) == before
        assert len(ok(ui.get("/api/v1/chats/"))) == 1


def test_an_oversized_document_is_413_with_nothing_stored(org: Org) -> None:
    with webui_client(org.base_url, org.token()) as ui:
        doc = new_document()
        add_turn(doc["history"], "q", "a")
        chat_id = _create(ui, doc)
        before = ok(ui.get(f"/api/v1/chats/{chat_id}"))
        huge = copy.deepcopy(doc)
        for i in range(5):
            add_turn(huge["history"], "x" * 800_000, f"answer {i}")
        assert len(json.dumps(huge)) > 3_670_016
        detail_error(ui.post("/api/v1/chats/new", json={"chat": huge}), 413)
        detail_error(ui.post(f"/api/v1/chats/{chat_id}", json={"chat": huge}), 413)
        body = b'{"chat": {"title": "' + b"y" * (9 * 1024 * 1024) + b'"}}'
        detail_error(ui.post("/api/v1/chats/new", content=body, headers={"Content-Type": "application/json"}), 413)
        assert ok(ui.get(f"/api/v1/chats/{chat_id}")) == before
        assert [c["id"] for c in ok(ui.get("/api/v1/chats/"))] == [chat_id]
