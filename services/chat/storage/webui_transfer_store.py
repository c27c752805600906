"""New chats from other chats or from outside (docs/openwebui.md): import, clone, clone of a share,
fork. Each is inserted in one transaction, under the member's open-chat cap. A clone or fork is
read twice: first for the images it would reference (`*_images`), which the caller copies, then
written with the copies' references in their place (`Copying`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.chat.storage.chat_store import branch_of, check_open_chat_cap
from services.chat.storage.models import Chat
from services.chat.storage.webui_chat_store import NewChat, from_document, insert_chat
from services.chat.storage.webui_document import MAX_TITLE, ChatDocument, NewNode, NodeRow, invalid, parse_document
from services.chat.storage.webui_image_refs import ImageRef, refs_in, refs_in_json, replaced
from services.chat.storage.webui_rows import (
    WebuiChatRecord,
    chat_tags,
    full_record,
    load_rows,
    owned_chat,
    partial_record,
    tag_id,
)
from services.common.database import utcnow
from services.common.errors import ApiError


@dataclass
class ImportedChat:
    """One chat of an import (Open WebUI's ChatImportForm), already parsed."""

    document: ChatDocument
    where: str  # the field path of its errors, e.g. chats.3.chat
    folder_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    pinned: bool = False
    archived: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    chat_id: str | None = None  # None: a new id (set when its images were stored under it first)


def _copied(rows: list[NodeRow]) -> list[NewNode]:
    return [NewNode(r.node_id, r.parent_id, r.role, r.content, r.webui_keys, r.created_at, r.meta) for r in rows]


def _title(title: str) -> str:
    return title[:MAX_TITLE]


class SourceImages(NamedTuple):
    """The image references a clone or fork would copy, and the chat whose uploads they name."""

    chat_id: str
    refs: list[ImageRef]


@dataclass(frozen=True)
class Copying:
    """A clone or fork whose images were copied first: its id, and each source reference's copy."""

    chat_id: str
    refs: dict[str, str]


def _refs(spec: NewChat) -> list[ImageRef]:
    """The references of a new chat's document, each once (where `_with_copies` replaces them)."""
    found = list(refs_in(spec.keys))
    for node in spec.nodes:
        found += [*refs_in(node.content), *refs_in(node.webui_keys), *refs_in(node.meta)]
    return list({ref.text: ref for ref in found}.values())


def _with_copies(spec: NewChat, copying: Copying | None) -> NewChat:
    if copying is None:
        return spec
    spec.id = copying.chat_id
    if copying.refs:
        spec.keys = replaced(spec.keys, copying.refs)
        spec.nodes = [
            dataclasses.replace(
                node,
                content=replaced(node.content, copying.refs),
                webui_keys=replaced(node.webui_keys, copying.refs),
                meta=replaced(node.meta, copying.refs),
            )
            for node in spec.nodes
        ]
    return spec


class WebuiTransferStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def import_chats(self, org_id: str, member_id: str, chats: list[ImportedChat], cap: int) -> list[WebuiChatRecord]:
        """All or nothing; a folder that is not the member's is dropped."""
        with Session(self.engine, expire_on_commit=False) as s:
            check_open_chat_cap(s, member_id, cap, adding=len(chats))
            made = []
            for item in chats:
                spec = from_document(s, item.document, utcnow(), f"{item.where}.history")
                tags = item.meta.get("tags")
                if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
                    raise invalid(f"{item.where.rsplit('.', 1)[0]}.meta.tags", "must be a list of strings")
                spec.tags = {tag_id(t): t.strip() for t in tags or () if t.strip()}
                spec.tags.pop("none", None)
                spec.meta = {k: v for k, v in item.meta.items() if k != "tags"}
                spec.folder_id, spec.pinned, spec.archived = item.folder_id, item.pinned, item.archived
                spec.created_at, spec.updated_at = item.created_at, item.updated_at
                spec.id = item.chat_id
                chat = insert_chat(s, org_id, member_id, spec, folder_must_exist=False)
                made.append(chat)
            s.flush()
            records = [partial_record(s, chat) for chat in made]
            s.commit()
            return records

    def clone(
        self, org_id: str, member_id: str, chat_id: str, title: str | None, cap: int, copying: Copying | None = None
    ) -> WebuiChatRecord:
        """Every branch; the document gains originalChatId and branchPointMessageId."""
        with Session(self.engine, expire_on_commit=False) as s:
            _, spec = self._clone_spec(s, org_id, member_id, chat_id, title)
            return self._insert(s, org_id, member_id, _with_copies(spec, copying), cap)

    def clone_images(self, org_id: str, member_id: str, chat_id: str) -> SourceImages:
        """The images a clone of the chat would reference; CHAT_NOT_FOUND for one not the member's."""
        with Session(self.engine) as s:
            source_id, spec = self._clone_spec(s, org_id, member_id, chat_id, None)
            return SourceImages(source_id, _refs(spec))

    def _clone_spec(
        self, s: Session, org_id: str, member_id: str, chat_id: str, title: str | None
    ) -> tuple[str, NewChat]:
        source = owned_chat(s, org_id, member_id, chat_id)
        keys = {
            **(source.webui_keys or {}),
            "originalChatId": source.id,
            "branchPointMessageId": source.current_message_id,
        }
        return source.id, NewChat(
            _title((title or "").strip() or f"Clone of {source.title}"),
            keys,
            _copied(load_rows(s, source.id)),
            source.current_message_id,
            folder_id=source.folder_id,
            meta=dict(source.webui_meta or {}),
            tags=self._tags(s, source),
            pinned=source.pinned,
        )

    def clone_shared(
        self,
        org_id: str,
        member_id: str,
        share_chat_id: str,
        snapshot: str,
        cap: int,
        copying: Copying | None = None,
    ) -> WebuiChatRecord:
        """A snapshot (already found readable by the caller) as a chat of their own."""
        with Session(self.engine, expire_on_commit=False) as s:
            doc = parse_document(snapshot)
            spec = from_document(s, doc, utcnow(), "chat.history")
            spec.title = _title(f"Clone of {spec.title}")
            current = doc.history.current_id if doc.history else None
            spec.keys = {**spec.keys, "originalChatId": share_chat_id, "branchPointMessageId": current}
            return self._insert(s, org_id, member_id, _with_copies(spec, copying), cap)

    @staticmethod
    def snapshot_images(share_chat_id: str, snapshot: str) -> SourceImages:
        """The images a clone of a share's snapshot would reference (uploads of the shared chat)."""
        return SourceImages(share_chat_id, list({r.text: r for r in refs_in_json(snapshot)}.values()))

    def fork(
        self,
        org_id: str,
        member_id: str,
        chat_id: str,
        message_id: str | None,
        cap: int,
        copying: Copying | None = None,
    ) -> WebuiChatRecord:
        """The branch ending at a message (the current one by default): its ancestors and itself."""
        with Session(self.engine, expire_on_commit=False) as s:
            _, spec = self._fork_spec(s, org_id, member_id, chat_id, message_id)
            return self._insert(s, org_id, member_id, _with_copies(spec, copying), cap)

    def fork_images(self, org_id: str, member_id: str, chat_id: str, message_id: str | None) -> SourceImages:
        """The images a fork would reference (its branch's only); errors as `fork`."""
        with Session(self.engine) as s:
            source_id, spec = self._fork_spec(s, org_id, member_id, chat_id, message_id)
            return SourceImages(source_id, _refs(spec))

    def _fork_spec(
        self, s: Session, org_id: str, member_id: str, chat_id: str, message_id: str | None
    ) -> tuple[str, NewChat]:
        source = owned_chat(s, org_id, member_id, chat_id)
        rows = load_rows(s, source.id)
        if message_id and not any(r.node_id == message_id for r in rows):
            raise ApiError("NOT_FOUND", "Message not found")
        branch = branch_of(rows, message_id or source.current_message_id)
        meta = {
            **(source.webui_meta or {}),
            "forked_from": source.id,
            "forked_from_message_id": branch[-1].node_id if branch else None,
        }
        return source.id, NewChat(
            _title(f"{source.title} (fork)"),
            dict(source.webui_keys or {}),
            _copied(branch),
            branch[-1].node_id if branch else None,
            folder_id=source.folder_id,
            meta=meta,
            tags=self._tags(s, source),
        )

    @staticmethod
    def _tags(s: Session, source: Chat) -> dict[str, str]:
        return {t.id: t.name for t in chat_tags(s, source.id)}

    @staticmethod
    def _insert(s: Session, org_id: str, member_id: str, spec: NewChat, cap: int) -> WebuiChatRecord:
        check_open_chat_cap(s, member_id, cap)
        chat = insert_chat(s, org_id, member_id, spec, folder_must_exist=False)
        s.flush()
        record = full_record(s, chat)
        s.commit()
        return record
