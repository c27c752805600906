"""Open WebUI's chats (docs/openwebui.md): the same `chats` rows as ChatStore, written as documents.

Creating, reading and merging documents, the message upsert, pin, archive and move. Every write
starts by locking the chat (webui_rows.lock_chat), so writes of one chat happen one at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select, update

from services.chat.storage.chat_store import check_open_chat_cap, delete_subtree
from services.chat.storage.models import Chat
from services.chat.storage.webui_document import DEFAULT_TITLE, ChatDocument, NewNode
from services.chat.storage.webui_image_refs import refs_in
from services.chat.storage.webui_rows import (
    WebuiChatRecord,
    add_tags,
    full_record,
    insert_nodes,
    load_rows,
    lock_chat,
    lock_folder,
    merge_history,
    new_nodes,
    owned_chat,
    partial_record,
    upsert_content,
)
from services.common.database import utcnow
from services.common.errors import ApiError
from services.common.ids import new_id


@dataclass
class NewChat:
    """Everything a new chat starts with (a document, an import, a clone or a fork)."""

    title: str
    keys: dict[str, Any]
    nodes: Sequence[NewNode] = ()
    current: str | None = None
    folder_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)  # tag id → name
    pinned: bool = False
    archived: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: str | None = None  # None: a new id (set when the chat's images were stored under it first)


def from_document(s: Session, doc: ChatDocument, now: datetime, where: str) -> NewChat:
    """A new chat from a posted document (its history validated: every parent posted)."""
    nodes = new_nodes(s, None, doc.history, (), now, where) if doc.history else []
    current = doc.history.current_id if doc.history else None
    return NewChat(doc.title or DEFAULT_TITLE, doc.keys, nodes, current)


def insert_chat(s: Session, org_id: str, member_id: str, spec: NewChat, *, folder_must_exist: bool = True) -> Chat:
    """Insert the chat, its messages and tags (not committed). A folder that is not the member's is
    NOT_FOUND, or dropped quietly without `folder_must_exist` (an import)."""
    now = utcnow()
    chat = Chat(
        id=spec.id or new_id(),
        organization_id=org_id,
        member_id=member_id,
        title=spec.title,
        created_at=spec.created_at or now,
        last_activity_at=spec.updated_at or spec.created_at or now,
        current_message_id=spec.current,
        webui_keys=spec.keys,
        webui_meta=spec.meta or None,
        pinned=spec.pinned,
        archived=spec.archived,
    )
    s.add(chat)
    s.flush()  # the chat's write comes first: on SQLite it takes the write lock before the folder read
    if spec.folder_id:
        try:
            chat.folder_id = lock_folder(s, org_id, member_id, spec.folder_id).id
        except ApiError:
            if folder_must_exist:
                raise
    insert_nodes(s, chat.id, spec.nodes)
    add_tags(s, chat, spec.tags, now)
    return chat


class WebuiChatStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self,
        org_id: str,
        member_id: str,
        doc: ChatDocument,
        folder_id: str | None,
        cap: int,
        chat_id: str | None = None,
    ) -> WebuiChatRecord:
        with Session(self.engine, expire_on_commit=False) as s:
            check_open_chat_cap(s, member_id, cap)
            spec = from_document(s, doc, utcnow(), "chat.history")
            spec.folder_id, spec.id = folder_id, chat_id
            chat = insert_chat(s, org_id, member_id, spec)
            record = full_record(s, chat)
            s.commit()
            return record

    def get(self, org_id: str, member_id: str, chat_id: str) -> WebuiChatRecord:
        with Session(self.engine, expire_on_commit=False) as s:
            return full_record(s, owned_chat(s, org_id, member_id, chat_id))

    def image_refs(self, org_id: str, member_id: str, chat_id: str, node_ids: list[str]) -> list[str]:
        """The image references stored in the chat's top-level keys and in these messages (the ones a
        save posts again); CHAT_NOT_FOUND for a chat that is not the member's."""
        with Session(self.engine) as s:
            chat = owned_chat(s, org_id, member_id, chat_id)
            found = [ref.text for ref in refs_in(chat.webui_keys)]
            for row in load_rows(s, chat.id, node_ids) if node_ids else ():
                found += [ref.text for ref in refs_in(row.webui_keys)]
            return found

    def update(self, org_id: str, member_id: str, chat_id: str, doc: ChatDocument) -> WebuiChatRecord:
        """Merge a document into the chat (docs/openwebui.md): keys shallow, history without loss."""
        with Session(self.engine, expire_on_commit=False) as s:
            now = utcnow()
            chat = lock_chat(s, org_id, member_id, chat_id, touch=now)
            if doc.title is not None:
                chat.title = doc.title
            if doc.keys:
                chat.webui_keys = {**(chat.webui_keys or {}), **doc.keys}
            written = merge_history(s, chat, doc.history, now, "chat.history") if doc.history else []
            s.add(chat)
            s.flush()
            record = partial_record(s, chat, written)
            s.commit()
            return record

    def upsert_message(self, org_id: str, member_id: str, chat_id: str, node_id: str, content: str) -> WebuiChatRecord:
        with Session(self.engine, expire_on_commit=False) as s:
            now = utcnow()
            chat = lock_chat(s, org_id, member_id, chat_id, touch=now)
            row = upsert_content(s, chat, node_id, content, now)
            chat.current_message_id = node_id
            s.add(chat)
            s.flush()
            record = partial_record(s, chat, [row])
            s.commit()
            return record

    def delete_message(self, org_id: str, member_id: str, chat_id: str, node_id: str) -> WebuiChatRecord:
        """The message and its subtree; the one deletion of messages there is (a save never deletes)."""
        with Session(self.engine, expire_on_commit=False) as s:
            chat = lock_chat(s, org_id, member_id, chat_id, touch=utcnow())
            rows = load_rows(s, chat.id)
            target = next((r for r in rows if r.node_id == node_id), None)
            if target is None:
                raise ApiError("NOT_FOUND", "Message not found")
            delete_subtree(s, chat, rows, target)
            return self._saved(s, chat)

    def toggle_pin(self, org_id: str, member_id: str, chat_id: str) -> WebuiChatRecord:
        with Session(self.engine, expire_on_commit=False) as s:
            chat = lock_chat(s, org_id, member_id, chat_id)
            chat.pinned = not chat.pinned
            return self._saved(s, chat)

    def is_pinned(self, org_id: str, member_id: str, chat_id: str) -> bool:
        with Session(self.engine) as s:
            return owned_chat(s, org_id, member_id, chat_id).pinned

    def toggle_archive(self, org_id: str, member_id: str, chat_id: str) -> WebuiChatRecord:
        """Archive (taking the chat out of its folder) or restore."""
        with Session(self.engine, expire_on_commit=False) as s:
            chat = lock_chat(s, org_id, member_id, chat_id)
            chat.archived = not chat.archived
            if chat.archived:
                chat.folder_id = None
            return self._saved(s, chat)

    def set_all_archived(self, org_id: str, member_id: str, archived: bool) -> int:
        with Session(self.engine) as s:
            mine = (col(Chat.organization_id) == org_id) & (col(Chat.member_id) == member_id)
            changes: dict[str, Any] = {"archived": archived} | ({"folder_id": None} if archived else {})
            result = s.exec(update(Chat).where(mine, col(Chat.archived) != archived).values(**changes))
            s.commit()
            return result.rowcount or 0

    def move(self, org_id: str, member_id: str, chat_id: str, folder_id: str | None) -> WebuiChatRecord:
        """Into one of the member's folders, or to the root; unpins the chat, bumps its update time."""
        with Session(self.engine, expire_on_commit=False) as s:
            chat = lock_chat(s, org_id, member_id, chat_id, touch=utcnow())
            chat.folder_id = lock_folder(s, org_id, member_id, folder_id).id if folder_id else None
            chat.pinned = False
            return self._saved(s, chat)

    def chat_ids(self, org_id: str, member_id: str) -> list[str]:
        with Session(self.engine) as s:
            mine = (col(Chat.organization_id) == org_id) & (col(Chat.member_id) == member_id)
            return list(s.exec(select(Chat.id).where(mine)).all())

    @staticmethod
    def _saved(s: Session, chat: Chat) -> WebuiChatRecord:
        s.add(chat)
        s.flush()
        record = partial_record(s, chat)
        s.commit()
        return record
