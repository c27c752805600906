"""Open WebUI clients' side of the API (docs/openwebui.md): documents as the stock UI builds them,
and the response shapes of the reference (ChatResponse, ChatTitleIdResponse, TagModel, FolderModel)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

CHAT_RESPONSE = {
    "id",
    "user_id",
    "title",
    "chat",
    "updated_at",
    "created_at",
    "share_id",
    "archived",
    "pinned",
    "meta",
    "folder_id",
}
SUMMARY = {"id", "title", "updated_at", "created_at"}
TAG = {"id", "name", "user_id", "meta"}
FOLDER = {"id", "parent_id", "user_id", "name", "meta", "data", "is_expanded", "created_at", "updated_at"}


def ok(resp: httpx.Response) -> Any:
    assert resp.status_code == 200, f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
    return resp.json()


def detail_error(resp: httpx.Response, status: int) -> Any:
    """A FastAPI-shaped error: `detail`, a string (or the 422 list)."""
    assert resp.status_code == status, f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
    detail = resp.json()["detail"]
    if status == 422:
        assert isinstance(detail, list) and detail, detail
        assert all({"type", "loc", "msg"} <= set(item) and item["loc"][0] in ("body", "query") for item in detail)
    else:
        assert isinstance(detail, str) and detail, detail
    return detail


def is_epoch_seconds(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value - time.time()) < 10 * 365 * 86_400


def check_chat(body: dict[str, Any]) -> dict[str, Any]:
    """A ChatResponse: its keys, their types; returns the document."""
    assert set(body) == CHAT_RESPONSE, set(body) ^ CHAT_RESPONSE
    assert isinstance(body["id"], str) and isinstance(body["user_id"], str) and isinstance(body["title"], str)
    assert is_epoch_seconds(body["updated_at"]) and is_epoch_seconds(body["created_at"])
    assert body["share_id"] is None or isinstance(body["share_id"], str)
    assert isinstance(body["archived"], bool) and isinstance(body["pinned"], bool)
    assert isinstance(body["meta"], dict) and isinstance(body["meta"].get("tags", []), list)
    assert body["folder_id"] is None or isinstance(body["folder_id"], str)
    assert isinstance(body["chat"], dict) and body["chat"]["title"] == body["title"]
    return body["chat"]


def check_summaries(body: Any) -> list[dict[str, Any]]:
    assert isinstance(body, list)
    for item in body:
        assert set(item) == SUMMARY, item
        assert is_epoch_seconds(item["updated_at"]) and is_epoch_seconds(item["created_at"])
    return body


def check_tags(body: Any) -> list[str]:
    assert isinstance(body, list) and all(set(t) == TAG for t in body), body
    return [t["id"] for t in body]


def check_folder(body: Any) -> dict[str, Any]:
    assert set(body) == FOLDER, body
    assert is_epoch_seconds(body["created_at"]) and isinstance(body["is_expanded"], bool)
    return body


def check_tree(history: dict[str, Any]) -> None:
    """The invariants of a history tree: links both ways, currentId exists."""
    messages = history["messages"]
    for mid, m in messages.items():
        assert m["id"] == mid
        if m["parentId"] is not None:
            assert mid in messages[m["parentId"]]["childrenIds"], (mid, m["parentId"])
        for child in m["childrenIds"]:
            assert messages[child]["parentId"] == mid
    assert history["currentId"] is None or history["currentId"] in messages


def branch(history: dict[str, Any]) -> list[str]:
    """The ids from the root down to currentId."""
    out, walk = [], history["currentId"]
    while walk is not None:
        out.append(walk)
        walk = history["messages"][walk]["parentId"]
    return out[::-1]


def message(role: str, content: str, parent: str | None, **extra: Any) -> dict[str, Any]:
    """A message as the stock UI writes it (the server fills childrenIds from the parents)."""
    return {
        "id": str(uuid.uuid4()),
        "parentId": parent,
        "childrenIds": [],
        "role": role,
        "content": content,
        "timestamp": int(time.time()),
        **extra,
    }


def add_turn(history: dict[str, Any], question: str, answer: str, parent: str | None = "current") -> tuple[str, str]:
    """A user message and its answer under `parent` (the current message by default), as the UI
    adds them to its history; returns their ids."""
    parent_id = history["currentId"] if parent == "current" else parent
    user = message("user", question, parent_id, models=["embedded-sql"])
    reply = message("assistant", answer, user["id"], model="embedded-sql", modelName="Embedded", done=True)
    user["childrenIds"] = [reply["id"]]
    for m in (user, reply):
        history["messages"][m["id"]] = m
    if parent_id is not None:
        history["messages"][parent_id]["childrenIds"].append(user["id"])
    history["currentId"] = reply["id"]
    return user["id"], reply["id"]


def linear(history: dict[str, Any]) -> list[dict[str, Any]]:
    """The UI's `messages`: the current branch."""
    return [history["messages"][i] for i in branch(history)]


def new_document(title: str = "New Chat", **extra: Any) -> dict[str, Any]:
    """What the stock UI posts to /chats/new."""
    return {
        "id": "",
        "title": title,
        "models": ["embedded-sql"],
        "params": {},
        "history": {"messages": {}, "currentId": None},
        "messages": [],
        "tags": [],
        "timestamp": int(time.time() * 1000),
        **extra,
    }


def webui_client(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
