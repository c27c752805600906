"""Open WebUI's chat document ⇄ what is stored (docs/openwebui.md): no database access here.

A document is a JSON object; its `history` is `{messages: {id: message}, currentId}` where each
message names its parent (`parentId`). It is stored as a row per message (node id, parent id,
role, content and the message's other keys as given) plus the chat's other top-level keys, and
rebuilt on read: `childrenIds` from the parent links (in the order the messages were stored) and
`messages`, the current branch, from the branch pointer. Unknown keys round-trip unchanged.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from services.chat.storage.chat_store import branch_of
from services.common.database import as_utc
from services.common.errors import ApiError
from services.common.ids import new_id

MAX_DOCUMENT_BYTES = 3_670_016  # 3.5 MiB of JSON: a gRPC message stays under its 4 MiB default
MAX_NODE_ID = 128
MAX_TITLE = 500
MAX_ROLE = 16
DEFAULT_TITLE = "New Chat"
# Keys of a message that are structure (columns or derived), never kept among its other keys.
STRUCTURE = ("id", "parentId", "childrenIds")
# Top-level keys that are not kept as given: the id is the server's, the title is a column, the
# history is rows and `messages` is derived from it.
DOCUMENT_OWN = ("id", "title", "history", "messages")


def invalid(where: str, problem: str) -> ApiError:
    """A refused document: the detail starts with the field's path (docs/openwebui.md: 422)."""
    return ApiError("INVALID_REQUEST", f"{where}: {problem}")


@dataclass(frozen=True)
class PostedMessage:
    """A message as posted: its node id, parent, and every other key (role and content included)."""

    node_id: str
    parent_id: str | None
    fields: dict[str, Any]


@dataclass(frozen=True)
class PostedHistory:
    messages: dict[str, PostedMessage]  # in the order posted
    current_id: str | None = None
    has_current: bool = False  # False: `currentId` was not posted, the pointer stays

    def new_in_order(self, stored: set[str]) -> list[PostedMessage]:
        """The messages not stored yet, parents before children (the posted graph has no cycle)."""
        out: list[PostedMessage] = []
        placed: set[str] = set()
        for node_id in self.messages:
            chain = []
            walk: str | None = node_id
            while walk is not None and walk in self.messages and walk not in placed and walk not in stored:
                chain.append(self.messages[walk])
                placed.add(walk)
                walk = self.messages[walk].parent_id
            out.extend(reversed(chain))
        return out


@dataclass(frozen=True)
class ChatDocument:
    """What a posted document asks for: a title (None: keep), top-level keys to merge, a history."""

    title: str | None
    keys: dict[str, Any]
    history: PostedHistory | None


class NodeRow(NamedTuple):
    """A stored message, as much of it as the document needs (a tuple: chats have thousands)."""

    id: str
    node_id: str
    parent_id: str | None
    role: str
    content: str
    created_at: datetime
    webui_keys: dict[str, Any] | None
    meta: dict[str, Any]


@dataclass(frozen=True)
class NewNode:
    """A message to insert."""

    node_id: str
    parent_id: str | None
    role: str
    content: str
    webui_keys: dict[str, Any] | None
    created_at: datetime
    meta: dict[str, Any] = field(default_factory=dict)


# --- parsing ---------------------------------------------------------------------------------


def load_object(text: str, where: str, *, limit: int = MAX_DOCUMENT_BYTES) -> dict[str, Any]:
    """A JSON object from text; PAYLOAD_TOO_LARGE over `limit` bytes, INVALID_REQUEST otherwise."""
    if len(text.encode()) > limit:
        raise ApiError("PAYLOAD_TOO_LARGE", f"{where}: at most {limit} bytes of JSON")
    try:
        value = json.loads(text) if text.strip() else None
    except json.JSONDecodeError as exc:
        raise invalid(where, f"not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise invalid(where, "must be an object")
    return value


def parse_document(text: str, where: str = "chat") -> ChatDocument:
    doc = load_object(text, where)
    title = doc.get("title")
    if title is not None:
        if not isinstance(title, str):
            raise invalid(f"{where}.title", "must be a string")
        if len(title) > MAX_TITLE:
            raise invalid(f"{where}.title", f"at most {MAX_TITLE} characters")
        title = title.strip() or DEFAULT_TITLE
    history = None
    if "history" in doc and doc["history"] is not None:
        history = _history(doc["history"], f"{where}.history")
    elif isinstance(doc.get("messages"), list):
        history = _linear(doc["messages"], f"{where}.messages")
    keys = {k: v for k, v in doc.items() if k not in DOCUMENT_OWN}
    return ChatDocument(title, keys, history)


def _node_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_NODE_ID:
        raise invalid(where, f"message ids must be strings of 1 to {MAX_NODE_ID} characters")
    return value


def _history(value: Any, where: str) -> PostedHistory:
    if not isinstance(value, dict):
        raise invalid(where, "must be an object")
    raw = value.get("messages") or {}
    if not isinstance(raw, dict):
        raise invalid(f"{where}.messages", "must be an object keyed by message id")
    messages: dict[str, PostedMessage] = {}
    for key, message in raw.items():
        node_id = _node_id(key, f"{where}.messages")
        if not isinstance(message, dict):
            raise invalid(f"{where}.messages", f"message {key!r} must be an object")
        if "id" in message and message["id"] != key:
            raise invalid(f"{where}.messages", f"message {key!r} has another id, {message['id']!r}")
        parent = message.get("parentId")
        if parent is not None:
            parent = _node_id(parent, f"{where}.messages")
        messages[node_id] = PostedMessage(node_id, parent, {k: v for k, v in message.items() if k not in STRUCTURE})
    _refuse_cycles(messages, where)
    current = value.get("currentId")
    if current is not None:
        current = _node_id(current, f"{where}.currentId")
    return PostedHistory(messages, current, "currentId" in value)


def _refuse_cycles(messages: Mapping[str, PostedMessage], where: str) -> None:
    done: set[str] = set()
    for start in messages:
        path: set[str] = set()
        walk: str | None = start
        while walk is not None and walk in messages and walk not in done:
            if walk in path:
                raise invalid(where, f"the parentId links of message {walk!r} form a cycle")
            path.add(walk)
            walk = messages[walk].parent_id
        done |= path


def _linear(items: list[Any], where: str) -> PostedHistory:
    """A legacy document: `messages` as a list, each the child of the one before."""
    messages: dict[str, PostedMessage] = {}
    parent: str | None = None
    for item in items:
        if not isinstance(item, dict):
            raise invalid(where, "every message must be an object")
        node_id = _node_id(item.get("id") or new_id(), where)
        if node_id in messages:
            raise invalid(where, f"message id {node_id!r} appears twice")
        messages[node_id] = PostedMessage(node_id, parent, {k: v for k, v in item.items() if k not in STRUCTURE})
        parent = node_id
    return PostedHistory(messages, parent, True)


# --- stored form -----------------------------------------------------------------------------


def columns(fields: Mapping[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(role, content, other keys) of a message's fields: a role or content that is not a plain
    string stays among the keys, as given."""
    role, content = fields.get("role"), fields.get("content")
    role = role if isinstance(role, str) and len(role) <= MAX_ROLE else None
    content = content if isinstance(content, str) else None
    plain = {"role": role is not None, "content": content is not None}
    keys = {k: v for k, v in fields.items() if not plain.get(k)}
    return (role or "", content or "", keys)


def seconds(value: Any) -> datetime | None:
    """A message `timestamp` (seconds, or milliseconds when that large) as a time, if it is one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = value / 1000 if value > 10_000_000_000 else value
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def new_node(posted: PostedMessage, now: datetime) -> NewNode:
    role, content, keys = columns(posted.fields)
    created = seconds(posted.fields.get("timestamp")) or now
    return NewNode(posted.node_id, posted.parent_id, role, content, keys, created)


def fields_of(row: NodeRow) -> dict[str, Any]:
    """A stored message's fields (all but id, parentId and childrenIds), as the document shows them."""
    out: dict[str, Any] = {"role": row.role, "content": row.content}
    if row.webui_keys is None:  # a turn's message: the keys Open WebUI reads
        out["timestamp"] = int(as_utc(row.created_at).timestamp())
        if row.role == "assistant":
            out["done"] = True
            if isinstance(row.meta.get("model"), str):
                out["model"] = row.meta["model"]
    else:
        out.update(row.webui_keys)
    return out


def merged(row: NodeRow, posted: PostedMessage) -> tuple[str, str, dict[str, Any]] | None:
    """(role, content, keys) of a stored message with posted fields over its own; None if unchanged."""
    before = fields_of(row)
    after = {**before, **posted.fields}
    return None if after == before else columns(after)


def render_node(row: NodeRow, children: Sequence[str]) -> dict[str, Any]:
    return {"id": row.node_id, "parentId": row.parent_id, "childrenIds": list(children), **fields_of(row)}


def children_map(rows: Sequence[NodeRow]) -> dict[str, list[str]]:
    """node id → its children's ids, in the order they were stored (rows come oldest first)."""
    out: dict[str, list[str]] = {}
    for row in rows:
        if row.parent_id is not None:
            out.setdefault(row.parent_id, []).append(row.node_id)
    return out


def full_document(
    chat_id: str, title: str, keys: dict[str, Any] | None, current: str | None, rows: Sequence[NodeRow]
) -> dict[str, Any]:
    """The whole document: every message of every branch, and the current branch as `messages`."""
    children = children_map(rows)
    nodes = {row.node_id: render_node(row, children.get(row.node_id, ())) for row in rows}
    branch = [nodes[row.node_id] for row in branch_of(rows, current)]
    history = {"messages": nodes, "currentId": branch[-1]["id"] if branch else None}
    return {**(keys or {}), "id": chat_id, "title": title, "history": history, "messages": branch}


def partial_document(
    chat_id: str,
    title: str,
    keys: dict[str, Any] | None,
    current: str | None,
    written: Sequence[NodeRow],
    children: Mapping[str, list[str]],
) -> dict[str, Any]:
    """The document's top-level keys and branch pointer, with only the messages `written`."""
    nodes = {row.node_id: render_node(row, children.get(row.node_id, ())) for row in written}
    return {**(keys or {}), "id": chat_id, "title": title, "history": {"messages": nodes, "currentId": current}}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def epoch(value: datetime) -> int:
    return int(as_utc(value).timestamp())


def from_epoch(value: int, where: str) -> datetime:
    """A time in seconds since the epoch (milliseconds accepted when that large)."""
    when = seconds(value)
    if when is None or when.year < 1970 or when.timestamp() > time.time() + 86_400 * 366 * 100:
        raise invalid(where, "must be a time in seconds since the Unix epoch")
    return when
