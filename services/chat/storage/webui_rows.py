"""Rows behind Open WebUI's chats, shared by its stores: the chat row locked for writing, a
folder locked while a chat goes into it, message rows read and written, tags and the chat's
answer (a WebuiChatRecord). Everything here runs inside the caller's session and transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select, update

from services.chat.storage.models import Chat, Message, WebuiChatTag, WebuiFolder
from services.chat.storage.webui_document import (
    NewNode,
    NodeRow,
    PostedHistory,
    PostedMessage,
    full_document,
    invalid,
    merged,
    new_node,
    partial_document,
)
from services.common.errors import ApiError
from services.common.ids import canonical_uuid, new_id

CHUNK = 500  # ids per IN (...) list
_NODE: tuple[Any, ...] = (
    Message.id,
    Message.node_id,
    Message.parent_id,
    Message.role,
    Message.content,
    Message.created_at,
    Message.webui_keys,
    # A turn's metadata (its model) is shown; an Open WebUI message's is not read at all.
    case((col(Message.webui_keys).is_(None), col(Message.meta)), else_=None),
)


@dataclass(frozen=True)
class WebuiChatRecord:
    """A chat as Open WebUI's ChatResponse shows it: the row, its tag ids and (part of) its document."""

    chat: Chat
    tags: list[str]
    document: dict[str, Any]

    @property
    def meta(self) -> dict[str, Any]:
        """The chat's `meta`: `{}` for a new chat, `tags` once it has some."""
        return {**(self.chat.webui_meta or {}), **({"tags": self.tags} if self.tags else {})}


def chunks(values: Collection[str]) -> Iterator[list[str]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


# --- chats and folders ----------------------------------------------------------------------


def owned_chat(s: Session, org_id: str, member_id: str, chat_id: str) -> Chat:
    key = canonical_uuid(chat_id)
    chat = s.get(Chat, key) if key else None
    if chat is None or chat.organization_id != org_id or chat.member_id != member_id:
        raise ApiError("CHAT_NOT_FOUND", "Chat not found")
    return chat


def lock_chat(s: Session, org_id: str, member_id: str, chat_id: str, touch: datetime | None = None) -> Chat:
    """The caller's chat, locked until the transaction ends; `touch` bumps its update time.

    The first statement of the transaction is a write, so writers of one chat queue: on the row
    lock on PostgreSQL (ChatStore.append_message takes the same one), on the database's write
    lock on SQLite (which also gives the rest of the transaction a consistent snapshot).
    """
    key = canonical_uuid(chat_id)
    if key is None:
        raise ApiError("CHAT_NOT_FOUND", "Chat not found")
    owned = (col(Chat.id) == key) & (col(Chat.organization_id) == org_id) & (col(Chat.member_id) == member_id)
    stamp = touch if touch is not None else col(Chat.last_activity_at)
    if not s.exec(update(Chat).where(owned).values(last_activity_at=stamp)).rowcount:
        raise ApiError("CHAT_NOT_FOUND", "Chat not found")
    chat = s.get(Chat, key, populate_existing=True)
    assert chat is not None
    return chat


def lock_folder(s: Session, org_id: str, member_id: str, folder_id: str) -> WebuiFolder:
    """The caller's folder, kept from being deleted until the transaction ends (a chat goes in)."""
    key = canonical_uuid(folder_id)
    folder = (
        s.exec(
            select(WebuiFolder)
            .where(col(WebuiFolder.id) == key, col(WebuiFolder.organization_id) == org_id)
            .where(col(WebuiFolder.member_id) == member_id)
            .with_for_update(read=True)
        ).first()
        if key
        else None
    )
    if folder is None:
        raise ApiError("NOT_FOUND", "Folder not found")
    return folder


# --- message rows ---------------------------------------------------------------------------


def _node_row(row: Any) -> NodeRow:
    return NodeRow(row[0], row[1] or row[0], row[2], row[3], row[4], row[5], row[6], row[7] or {})


def load_rows(s: Session, chat_id: str, node_ids: Collection[str] | None = None) -> list[NodeRow]:
    """The chat's messages (or those with these node ids), oldest first."""
    base = select_columns(*_NODE).where(col(Message.chat_id) == chat_id).order_by(col(Message.seq))
    if node_ids is None:
        return [_node_row(r) for r in s.connection().execute(base).all()]
    out = []
    for part in chunks(node_ids):
        out += [_node_row(r) for r in s.connection().execute(base.where(col(Message.node_id).in_(part))).all()]
    return out


def existing_nodes(s: Session, chat_id: str, node_ids: Collection[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(node_ids):
        stmt = select(Message.node_id).where(col(Message.chat_id) == chat_id, col(Message.node_id).in_(part))
        found |= {n for n in s.exec(stmt).all() if n}
    return found


def children_of(s: Session, chat_id: str, node_ids: Collection[str]) -> dict[str, list[str]]:
    """node id → its children's node ids (oldest first), for these nodes only."""
    out: dict[str, list[str]] = {}
    for part in chunks(node_ids):
        stmt = (
            select(Message.parent_id, Message.node_id)
            .where(col(Message.chat_id) == chat_id, col(Message.parent_id).in_(part))
            .order_by(col(Message.seq))
        )
        for parent, child in s.exec(stmt).all():
            if parent and child:
                out.setdefault(parent, []).append(child)
    return out


def insert_nodes(s: Session, chat_id: str, nodes: Sequence[NewNode]) -> list[NodeRow]:
    """Insert messages after the chat's last one (parents must come before their children)."""
    if not nodes:
        return []
    last = s.exec(select(func.max(Message.seq)).where(col(Message.chat_id) == chat_id)).one() or 0
    # A message keeps its document id as its row id (the id Trellis shows) when that is a UUID no
    # other message has: a copy (clone, fork, import of an export) gets fresh row ids.
    uuids = [n.node_id for n in nodes if canonical_uuid(n.node_id) == n.node_id]
    taken: set[str] = set()
    for part in chunks(uuids):
        taken |= set(s.exec(select(Message.id).where(col(Message.id).in_(part))).all())
    rows = [
        NodeRow(
            n.node_id if n.node_id in uuids and n.node_id not in taken else new_id(),
            n.node_id,
            n.parent_id,
            n.role,
            n.content,
            n.created_at,
            n.webui_keys,
            n.meta,
        )
        for n in nodes
    ]
    s.execute(
        insert(Message),
        [
            {
                "id": r.id,
                "chat_id": chat_id,
                "seq": last + i,
                "role": r.role,
                "content": r.content,
                "meta": r.meta,
                "created_at": r.created_at,
                "node_id": r.node_id,
                "parent_id": r.parent_id,
                "webui_keys": r.webui_keys,
            }
            for i, r in enumerate(rows, start=1)
        ],
    )
    return rows


def new_nodes(
    s: Session, chat_id: str | None, history: PostedHistory, stored: Collection[str], now: datetime, where: str
) -> list[NewNode]:
    """The posted messages to insert, parents first; INVALID_REQUEST for a parent or currentId that
    is neither posted nor stored (chat_id None: a new chat, nothing is stored)."""
    fresh = history.new_in_order(set(stored))
    wanted = {p.parent_id for p in fresh if p.parent_id and p.parent_id not in history.messages}
    current = history.current_id if history.has_current else None
    if current and current not in history.messages:
        wanted.add(current)
    found = existing_nodes(s, chat_id, wanted) if chat_id and wanted else set()
    for posted in fresh:
        if posted.parent_id and posted.parent_id not in history.messages and posted.parent_id not in found:
            raise invalid(where, f"message {posted.node_id!r} has a parentId that is not a message of this chat")
    if current and current not in history.messages and current not in found:
        raise invalid(where, "currentId is not a message of this chat")
    return [new_node(p, now) for p in fresh]


def merge_history(s: Session, chat: Chat, history: PostedHistory, now: datetime, where: str) -> list[NodeRow]:
    """Add the posted messages that are new and update the keys of the known ones; nothing is
    deleted, a known message keeps its parent. Returns the messages written."""
    stored = {row.node_id: row for row in load_rows(s, chat.id, list(history.messages))}
    fresh = new_nodes(s, chat.id, history, stored, now, where)
    written = []
    for node_id, row in stored.items():
        change = merged(row, history.messages[node_id])
        if change is not None:
            written.append(update_node(s, row, *change))
    written += insert_nodes(s, chat.id, fresh)
    if history.has_current:
        chat.current_message_id = history.current_id
    return written


def update_node(s: Session, row: NodeRow, role: str, content: str, keys: dict[str, Any]) -> NodeRow:
    s.exec(update(Message).where(col(Message.id) == row.id).values(role=role, content=content, webui_keys=keys))
    return NodeRow(row.id, row.node_id, row.parent_id, role, content, row.created_at, keys, row.meta)


def upsert_content(s: Session, chat: Chat, node_id: str, content: str, now: datetime) -> NodeRow:
    """Set a message's content (creating it as an assistant message under the current one)."""
    found = load_rows(s, chat.id, [node_id])
    posted = PostedMessage(node_id, None, {"content": content})
    if found:
        change = merged(found[0], posted)
        return found[0] if change is None else update_node(s, found[0], *change)
    fields = {"role": "assistant", "content": content, "timestamp": int(now.timestamp())}
    return insert_nodes(s, chat.id, [new_node(PostedMessage(node_id, chat.current_message_id, fields), now)])[0]


# --- tags and answers -----------------------------------------------------------------------


def tags_of(s: Session, chat_ids: Collection[str]) -> dict[str, list[str]]:
    """chat id → its tag ids, in the order they were added."""
    out: dict[str, list[str]] = {}
    for part in chunks(chat_ids):
        stmt = (
            select(WebuiChatTag.chat_id, WebuiChatTag.tag_id)
            .where(col(WebuiChatTag.chat_id).in_(part))
            .order_by(col(WebuiChatTag.created_at), col(WebuiChatTag.tag_id))
        )
        for chat_id, tag_id in s.exec(stmt).all():
            out.setdefault(chat_id, []).append(tag_id)
    return out


@dataclass(frozen=True)
class Tag:
    id: str
    name: str


def tag_id(name: str) -> str:
    """A tag's id: its name lower-cased, spaces as `_`."""
    return name.strip().lower().replace(" ", "_")


def chat_tags(s: Session, chat_id: str) -> list[Tag]:
    """The chat's tags, in the order they were added."""
    stmt = (
        select(WebuiChatTag.tag_id, WebuiChatTag.name)
        .where(col(WebuiChatTag.chat_id) == chat_id)
        .order_by(col(WebuiChatTag.created_at), col(WebuiChatTag.tag_id))
    )
    return [Tag(*row) for row in s.exec(stmt).all()]


def add_tags(s: Session, chat: Chat, names: dict[str, str], when: datetime) -> None:
    """Tag the chat (tag id → name), skipping tags it has."""
    have = set(tags_of(s, [chat.id]).get(chat.id, []))
    for tag_id, name in names.items():
        if tag_id not in have:
            s.add(WebuiChatTag(chat_id=chat.id, tag_id=tag_id, member_id=chat.member_id, name=name, created_at=when))
    s.flush()


def full_record(s: Session, chat: Chat) -> WebuiChatRecord:
    """The chat with its whole document."""
    rows = load_rows(s, chat.id)
    document = full_document(chat.id, chat.title, chat.webui_keys, chat.current_message_id, rows)
    return WebuiChatRecord(chat, tags_of(s, [chat.id]).get(chat.id, []), document)


def partial_record(s: Session, chat: Chat, written: Sequence[NodeRow] = ()) -> WebuiChatRecord:
    """The chat with its top-level keys, its branch pointer and only the messages `written`."""
    children = children_of(s, chat.id, [w.node_id for w in written])
    document = partial_document(chat.id, chat.title, chat.webui_keys, chat.current_message_id, written, children)
    return WebuiChatRecord(chat, tags_of(s, [chat.id]).get(chat.id, []), document)


def full_records(s: Session, chats: Sequence[Chat]) -> list[WebuiChatRecord]:
    """Whole chats, their messages read in one query."""
    rows: dict[str, list[NodeRow]] = {c.id: [] for c in chats}
    for part in chunks(list(rows)):
        stmt = (
            select_columns(col(Message.chat_id), *_NODE)
            .where(col(Message.chat_id).in_(part))
            .order_by(col(Message.seq))
        )
        for r in s.connection().execute(stmt).all():
            rows[r[0]].append(_node_row(r[1:]))
    tags = tags_of(s, list(rows))
    return [
        WebuiChatRecord(
            c, tags.get(c.id, []), full_document(c.id, c.title, c.webui_keys, c.current_message_id, rows[c.id])
        )
        for c in chats
    ]
