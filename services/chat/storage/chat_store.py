"""Persistence of chats and their messages.

Every chat query filters by organization *and* member: ownership is part of the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, select, update

from services.chat.storage.models import Chat, Message
from services.common.database import utcnow
from services.common.errors import ApiError
from services.common.ids import canonical_uuid, new_id

PAGE_SIZE = 20
PREVIEW_CHARS = 120


@dataclass(frozen=True)
class ChatView:
    chat: Chat
    preview: str


class ChatStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_chat(self, org_id: str, member_id: str, title: str, integration_id: str | None, cap: int) -> Chat:
        with Session(self.engine, expire_on_commit=False) as s:
            open_chats = s.exec(select(func.count()).select_from(Chat).where(Chat.member_id == member_id)).one()
            if open_chats >= cap:
                raise ApiError(
                    "OPEN_CHAT_CAP",
                    f"Open chat limit of {cap} reached: delete chats before creating new ones",
                )
            now = utcnow()
            chat = Chat(
                id=new_id(),
                organization_id=org_id,
                member_id=member_id,
                title=title,
                integration_id=integration_id,
                created_at=now,
                last_activity_at=now,
            )
            s.add(chat)
            s.commit()
            return chat

    def _owned(self, s: Session, org_id: str, member_id: str, chat_id: str) -> Chat | None:
        key = canonical_uuid(chat_id)
        if key is None:
            return None
        chat = s.get(Chat, key)
        if chat is None or chat.organization_id != org_id or chat.member_id != member_id:
            return None
        return chat

    def get_chat(self, org_id: str, member_id: str, chat_id: str) -> Chat:
        with Session(self.engine, expire_on_commit=False) as s:
            chat = self._owned(s, org_id, member_id, chat_id)
            if chat is None:
                raise ApiError("CHAT_NOT_FOUND", "Chat not found")
            return chat

    def messages(self, chat_id: str) -> list[Message]:
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = select(Message).where(Message.chat_id == chat_id).order_by(col(Message.seq))
            return list(s.exec(stmt).all())

    def _previews(self, s: Session, chat_ids: list[str]) -> dict[str, str]:
        if not chat_ids:
            return {}
        first = (
            select(Message.chat_id, func.min(Message.seq).label("seq"))
            .where(col(Message.chat_id).in_(chat_ids))
            .group_by(Message.chat_id)
            .subquery()
        )
        rows = s.exec(
            select(Message.chat_id, Message.content).join(
                first, (col(Message.chat_id) == first.c.chat_id) & (col(Message.seq) == first.c.seq)
            )
        ).all()
        return {chat_id: content[:PREVIEW_CHARS] for chat_id, content in rows}

    def preview(self, chat_id: str) -> str:
        with Session(self.engine) as s:
            return self._previews(s, [chat_id]).get(chat_id, "")

    def list_chats(self, org_id: str, member_id: str, page: int) -> tuple[list[ChatView], int]:
        page = max(page, 1)
        with Session(self.engine, expire_on_commit=False) as s:
            owned = (Chat.organization_id == org_id) & (Chat.member_id == member_id)
            total = s.exec(select(func.count()).select_from(Chat).where(owned)).one()
            chats = s.exec(
                select(Chat)
                .where(owned)
                .order_by(col(Chat.last_activity_at).desc(), col(Chat.created_at).desc(), col(Chat.id))
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            ).all()
            previews = self._previews(s, [c.id for c in chats])
            return [ChatView(c, previews.get(c.id, "")) for c in chats], total

    def rename_chat(self, org_id: str, member_id: str, chat_id: str, title: str) -> ChatView:
        with Session(self.engine, expire_on_commit=False) as s:
            chat = self._owned(s, org_id, member_id, chat_id)
            if chat is None:
                raise ApiError("CHAT_NOT_FOUND", "Chat not found")
            chat.title = title
            s.add(chat)
            s.commit()
            return ChatView(chat, self._previews(s, [chat.id]).get(chat.id, ""))

    def delete_chats(self, org_id: str, member_id: str, chat_ids: list[str]) -> tuple[list[str], list[str]]:
        """Delete the caller's chats among chat_ids; everything else is reported as not found."""
        wanted = {raw: canonical_uuid(raw) for raw in chat_ids}
        keys = {k for k in wanted.values() if k}
        with Session(self.engine) as s:
            owned = (
                set(
                    s.exec(
                        select(Chat.id).where(
                            col(Chat.id).in_(keys), Chat.organization_id == org_id, Chat.member_id == member_id
                        )
                    ).all()
                )
                if keys
                else set()
            )
            if owned:
                # Explicit message delete: SQLite FKs cascade only with the pragma on, be robust.
                s.exec(delete(Message).where(col(Message.chat_id).in_(owned)))
                s.exec(delete(Chat).where(col(Chat.id).in_(owned)))
                s.commit()
        deleted, not_found, seen = [], [], set()
        for raw, key in wanted.items():
            if key in owned and key not in seen:
                deleted.append(raw)
                seen.add(key)
            elif key not in owned:
                not_found.append(raw)
        return deleted, not_found

    def append_message(self, chat_id: str, role: str, content: str, meta: dict[str, Any] | None = None) -> Message:
        """Append at the end of the chat (seq = last + 1) and mark the chat active.

        Writers of one chat queue on its row lock (PostgreSQL); where there is none (SQLite) two may
        pick the same seq, and the loser's insert hits the unique (chat_id, seq) key, rolls back and
        takes the next one. Either way a committed message is never lost.
        """
        for _ in range(10):
            with Session(self.engine, expire_on_commit=False) as s:
                chat = s.exec(select(Chat).where(col(Chat.id) == chat_id).with_for_update()).first()
                if chat is None:
                    raise ApiError("CHAT_NOT_FOUND", "Chat not found")
                last = s.exec(select(func.max(Message.seq)).where(Message.chat_id == chat_id)).one()
                now = utcnow()
                msg = Message(
                    id=new_id(),
                    chat_id=chat_id,
                    seq=(last or 0) + 1,
                    role=role,
                    content=content,
                    meta=meta or {},
                    created_at=now,
                )
                chat.last_activity_at = now
                s.add(msg)
                s.add(chat)
                try:
                    s.commit()
                    return msg
                except IntegrityError:
                    s.rollback()  # another writer took this seq: retry with the next one
        raise ApiError("INTERNAL", "Could not append the message: too much concurrent activity on this chat")

    # --- one turn per chat ---------------------------------------------------------------

    def claim_turn(self, chat_id: str, turn_id: str, stale_before: datetime) -> bool:
        """Mark `turn_id` as the chat's running turn unless another one runs (and is not stale)."""
        with Session(self.engine) as s:
            free = col(Chat.active_turn_id).is_(None) | (col(Chat.active_turn_started_at) < stale_before)
            result = s.exec(
                update(Chat)
                .where(col(Chat.id) == chat_id, free)
                .values(active_turn_id=turn_id, active_turn_started_at=utcnow())
            )
            s.commit()
            return bool(result.rowcount)

    def renew_turn(self, chat_id: str, turn_id: str) -> None:
        with Session(self.engine) as s:
            s.exec(
                update(Chat)
                .where(col(Chat.id) == chat_id, col(Chat.active_turn_id) == turn_id)
                .values(active_turn_started_at=utcnow())
            )
            s.commit()

    def release_turn(self, chat_id: str, turn_id: str) -> None:
        with Session(self.engine) as s:
            s.exec(
                update(Chat)
                .where(col(Chat.id) == chat_id, col(Chat.active_turn_id) == turn_id)
                .values(active_turn_id=None, active_turn_started_at=None)
            )
            s.commit()

    def owned_message(self, org_id: str, member_id: str, message_id: str, chat_id: str | None = None) -> Message:
        key = canonical_uuid(message_id)
        with Session(self.engine, expire_on_commit=False) as s:
            msg = s.get(Message, key) if key else None
            chat = s.get(Chat, msg.chat_id) if msg else None
            if (
                msg is None
                or chat is None
                or chat.organization_id != org_id
                or chat.member_id != member_id
                or (chat_id is not None and canonical_uuid(chat_id) != chat.id)
            ):
                raise ApiError("NOT_FOUND", "Message not found")
            return msg

    def delete_from(self, message: Message) -> int:
        """Delete a message and every later message of its chat; returns how many went."""
        with Session(self.engine) as s:
            result = s.exec(
                delete(Message).where(col(Message.chat_id) == message.chat_id, col(Message.seq) >= message.seq)
            )
            s.commit()
            return result.rowcount or 0

    def update_meta(self, message_id: str, changes: dict[str, Any], remove: tuple[str, ...] = ()) -> Message:
        with Session(self.engine, expire_on_commit=False) as s:
            msg = s.get(Message, message_id)
            if msg is None:
                raise ApiError("NOT_FOUND", "Message not found")
            meta = {k: v for k, v in {**msg.meta, **changes}.items() if k not in remove}
            msg.meta = meta  # a new dict: JSON columns track assignment, not mutation
            s.add(msg)
            s.commit()
            return msg

    def dangling_user_turns(self, older_than: datetime) -> list[tuple[Message, bool]]:
        """User messages from before `older_than` with no answer right after them, not yet recovered.

        Each comes with whether it ends its chat (then an answer can still follow it) or a later
        message follows it (a crash, then another turn: it can only be marked).
        """
        with Session(self.engine, expire_on_commit=False) as s:
            after = aliased(Message)
            stmt = (
                select(Message, after)
                .join(
                    after,
                    (col(after.chat_id) == col(Message.chat_id)) & (col(after.seq) == col(Message.seq) + 1),
                    isouter=True,
                )
                .where(
                    Message.role == "user",
                    col(Message.created_at) < older_than,
                    col(after.id).is_(None) | (col(after.role) == "user"),
                )
            )
            return [(msg, nxt is None) for msg, nxt in s.exec(stmt).all() if not msg.meta.get("unanswered")]

    def touch(self, chat_id: str, when: datetime | None = None) -> None:
        with Session(self.engine) as s:
            chat = s.get(Chat, chat_id)
            if chat is not None:
                chat.last_activity_at = when or utcnow()
                s.add(chat)
                s.commit()
