"""Tags on a member's chats (docs/openwebui.md). A member's tags are those their chats that are not
archived carry: a tag nobody uses any more is gone, with nothing to collect."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from services.chat.storage.models import Chat, WebuiChatTag
from services.chat.storage.webui_chat_list_store import NEWEST_FIRST, ChatSummary
from services.chat.storage.webui_rows import Tag, add_tags, chat_tags, lock_chat, owned_chat, tag_id
from services.common.database import utcnow
from services.common.errors import ApiError

MAX_TAG = 255


class WebuiTagStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def member_tags(self, org_id: str, member_id: str) -> list[Tag]:
        with Session(self.engine) as s:
            stmt = (
                select(WebuiChatTag.tag_id, func.min(WebuiChatTag.name))
                .join(Chat, col(Chat.id) == col(WebuiChatTag.chat_id))
                .where(
                    col(WebuiChatTag.member_id) == member_id,
                    col(Chat.organization_id) == org_id,
                    col(Chat.archived).is_(False),
                )
                .group_by(col(WebuiChatTag.tag_id))
                .order_by(col(WebuiChatTag.tag_id))
            )
            return [Tag(*row) for row in s.exec(stmt).all()]

    def chat_tags(self, org_id: str, member_id: str, chat_id: str) -> list[Tag]:
        with Session(self.engine) as s:
            return chat_tags(s, owned_chat(s, org_id, member_id, chat_id).id)

    def add(self, org_id: str, member_id: str, chat_id: str, name: str) -> list[Tag]:
        """Tag the chat (once); the id `none` is reserved (it means "untagged" in searches)."""
        wanted = tag_id(name)
        if not wanted or len(name.strip()) > MAX_TAG:
            raise ApiError("INVALID_REQUEST", f"name: must be 1 to {MAX_TAG} characters")
        if wanted == "none":
            raise ApiError("INVALID_REQUEST", "[ERROR: Tag name cannot be 'None']")
        with Session(self.engine) as s:
            chat = lock_chat(s, org_id, member_id, chat_id)
            add_tags(s, chat, {wanted: name.strip()}, utcnow())
            s.commit()
            return chat_tags(s, chat.id)

    def remove(self, org_id: str, member_id: str, chat_id: str, name: str | None) -> list[Tag]:
        """Take one tag (or, without a name, every tag) off the chat."""
        with Session(self.engine) as s:
            chat = lock_chat(s, org_id, member_id, chat_id)
            stmt = delete(WebuiChatTag).where(col(WebuiChatTag.chat_id) == chat.id)
            if name is not None:
                stmt = stmt.where(col(WebuiChatTag.tag_id) == tag_id(name))
            s.exec(stmt)
            s.commit()
            return chat_tags(s, chat.id)

    def chats_with(self, org_id: str, member_id: str, name: str, skip: int, limit: int) -> list[ChatSummary]:
        with Session(self.engine) as s:
            stmt = (
                select(Chat.id, Chat.title, Chat.last_activity_at, Chat.created_at)
                .join(WebuiChatTag, col(WebuiChatTag.chat_id) == col(Chat.id))
                .where(
                    col(Chat.organization_id) == org_id,
                    col(Chat.member_id) == member_id,
                    col(Chat.archived).is_(False),
                    col(WebuiChatTag.tag_id) == tag_id(name),
                )
                .order_by(*NEWEST_FIRST)
                .offset(max(skip, 0))
                .limit(limit)
            )
            return [ChatSummary(*row) for row in s.exec(stmt).all()]
