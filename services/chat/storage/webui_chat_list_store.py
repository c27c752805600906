"""Open WebUI's lists of a member's chats (docs/openwebui.md): pages of 60, newest first (ties by
id), search, and whole chats read in batches for streaming."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from services.chat.storage.models import Chat
from services.chat.storage.webui_folder_store import member_folders, subtree_ids
from services.chat.storage.webui_rows import WebuiChatRecord, full_records, lock_folder
from services.chat.storage.webui_search import conditions, parse
from services.common.errors import ApiError

PAGE_SIZE = 60
STREAM_BATCH = 100
NEWEST_FIRST = (col(Chat.last_activity_at).desc(), col(Chat.id))
ORDER_COLUMNS: dict[str, Any] = {
    "updated_at": col(Chat.last_activity_at),
    "created_at": col(Chat.created_at),
    "title": col(Chat.title),
}


@dataclass(frozen=True)
class ChatSummary:
    id: str
    title: str
    updated_at: datetime
    created_at: datetime


def order(order_by: str, direction: str, columns: dict[str, Any], tie: Any) -> tuple[Any, ...]:
    """ORDER BY for a list the client may sort (`updated_at` desc by default); INVALID_REQUEST
    for a column or a direction it may not use."""
    column = columns.get(order_by or "updated_at")
    if column is None:
        raise ApiError("INVALID_REQUEST", f"order_by: one of {', '.join(columns)}")
    if (direction or "desc").lower() not in ("asc", "desc"):
        raise ApiError("INVALID_REQUEST", "direction: asc or desc")
    return (column.asc(), tie) if (direction or "desc").lower() == "asc" else (column.desc(), tie)


@dataclass(frozen=True)
class SortedPage:
    """A page of a list the client may filter by title and sort (archived chats, shares)."""

    page: int
    query: str
    order_by: str
    direction: str


def page_window(page: int) -> tuple[int, int]:
    """(offset, limit) of a 1-based page of PAGE_SIZE (0 and below mean 1)."""
    return (max(page, 1) - 1) * PAGE_SIZE, PAGE_SIZE


class WebuiChatListStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def sidebar(
        self, org_id: str, member_id: str, page: int, include_pinned: bool, include_folders: bool
    ) -> list[ChatSummary]:
        """Chats not archived (without pinned ones and ones in folders unless asked); page 0: all."""
        where = [*self._mine(org_id, member_id), col(Chat.archived).is_(False)]
        if not include_pinned:
            where.append(col(Chat.pinned).is_(False))
        if not include_folders:
            where.append(col(Chat.folder_id).is_(None))
        with Session(self.engine) as s:
            return self._summaries(s, where, NEWEST_FIRST, page_window(page) if page > 0 else None)

    def pinned(self, org_id: str, member_id: str) -> list[ChatSummary]:
        where = [*self._mine(org_id, member_id), col(Chat.pinned).is_(True), col(Chat.archived).is_(False)]
        with Session(self.engine) as s:
            return self._summaries(s, where, NEWEST_FIRST, None)

    def archived(self, org_id: str, member_id: str, wanted: SortedPage) -> list[ChatSummary]:
        where = [*self._mine(org_id, member_id), col(Chat.archived).is_(True)]
        if wanted.query:
            where.append(col(Chat.title).icontains(wanted.query, autoescape=True))
        sort = order(wanted.order_by, wanted.direction, ORDER_COLUMNS, col(Chat.id))
        with Session(self.engine) as s:
            return self._summaries(s, where, sort, page_window(wanted.page))

    def in_folder(self, org_id: str, member_id: str, folder_id: str, page: int) -> list[ChatSummary]:
        with Session(self.engine) as s:
            folder = lock_folder(s, org_id, member_id, folder_id)
            where = [
                *self._mine(org_id, member_id),
                col(Chat.folder_id) == folder.id,
                col(Chat.pinned).is_(False),
                col(Chat.archived).is_(False),
            ]
            return self._summaries(s, where, NEWEST_FIRST, page_window(page))

    def search(self, org_id: str, member_id: str, text: str, page: int) -> list[ChatSummary]:
        with Session(self.engine) as s:
            where = conditions(s, org_id, member_id, parse(text))
            return self._summaries(s, where, NEWEST_FIRST, page_window(page))

    def whole_chats(
        self, org_id: str, member_id: str, *, archived_only: bool = False, folder_id: str | None = None
    ) -> Iterator[list[WebuiChatRecord]]:
        """Whole chats in batches of STREAM_BATCH, each batch read when asked for: every chat, the
        archived ones, or a folder's and its sub-folders' (not pinned, not archived)."""
        where = self._mine(org_id, member_id)
        with Session(self.engine, expire_on_commit=False) as s:
            if archived_only:
                where.append(col(Chat.archived).is_(True))
            if folder_id is not None:
                root = lock_folder(s, org_id, member_id, folder_id)
                ids = subtree_ids(member_folders(s, org_id, member_id), [root.id])
                where += [col(Chat.folder_id).in_(ids), col(Chat.pinned).is_(False), col(Chat.archived).is_(False)]
            chat_ids = list(s.exec(select(Chat.id).where(*where).order_by(*NEWEST_FIRST)).all())
        for start in range(0, len(chat_ids), STREAM_BATCH):
            wanted = chat_ids[start : start + STREAM_BATCH]
            with Session(self.engine, expire_on_commit=False) as s:
                found = {c.id: c for c in s.exec(select(Chat).where(col(Chat.id).in_(wanted))).all()}
                chats = [found[i] for i in wanted if i in found]  # deleted meanwhile: skipped
                yield full_records(s, chats)

    @staticmethod
    def _mine(org_id: str, member_id: str) -> list[ColumnElement[bool]]:
        return [col(Chat.organization_id) == org_id, col(Chat.member_id) == member_id]

    @staticmethod
    def _summaries(
        s: Session, where: list[ColumnElement[bool]], sort: tuple[Any, ...], window: tuple[int, int] | None
    ) -> list[ChatSummary]:
        stmt = select(Chat.id, Chat.title, Chat.last_activity_at, Chat.created_at).where(*where).order_by(*sort)
        if window is not None:
            stmt = stmt.offset(window[0]).limit(window[1])
        return [ChatSummary(*row) for row in s.exec(stmt).all()]
