"""Persistence of chats and their messages.

Every chat query filters by organization *and* member: ownership is part of the key.
"""

from __future__ import annotations

import random
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

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
APPEND_ATTEMPTS = 50
PREVIEW_CHARS = 120


def check_open_chat_cap(s: Session, member_id: str, cap: int, adding: int = 1) -> None:
    """OPEN_CHAT_CAP unless the member may have `adding` more chats (every chat not deleted counts)."""
    open_chats = s.exec(select(func.count()).select_from(Chat).where(Chat.member_id == member_id)).one()
    if open_chats + adding > cap:
        raise ApiError("OPEN_CHAT_CAP", f"Open chat limit of {cap} reached: delete chats before creating new ones")


def delete_chat_rows(s: Session, chat_ids: Collection[str]) -> None:
    """Delete these chats (already checked to be the caller's) with their messages; not committed."""
    # Explicit message delete: SQLite FKs cascade only with the pragma on, be robust.
    s.exec(delete(Message).where(col(Message.chat_id).in_(chat_ids)))
    s.exec(delete(Chat).where(col(Chat.id).in_(chat_ids)))


class TreeRow(Protocol):
    """A message as a node of its chat's history tree (a Message, or a lighter row of one)."""

    @property
    def id(self) -> str: ...
    @property
    def node_id(self) -> str | None: ...
    @property
    def parent_id(self) -> str | None: ...


T = TypeVar("T", bound=TreeRow)


def node_of(row: TreeRow) -> str:
    """The message's id in the history tree (a turn's message: its own id)."""
    return row.node_id or row.id


def branch_of(rows: Sequence[T], current: str | None) -> list[T]:
    """The conversation shown: from the root down to the message `current` names (node id).

    rows: the whole chat, oldest first. Without a pointer, or with one to a message that is gone,
    the branch ends at the newest message.
    """
    by_node = {node_of(m): m for m in rows}
    leaf = by_node.get(current) if current else None
    if leaf is None:
        leaf = rows[-1] if rows else None
    branch: list[T] = []
    seen: set[str] = set()
    while leaf is not None and leaf.id not in seen:
        seen.add(leaf.id)
        branch.append(leaf)
        leaf = by_node.get(leaf.parent_id) if leaf.parent_id else None
    return branch[::-1]


def subtree_of(rows: Sequence[T], root: T) -> list[T]:
    """`root` and every message below it (rows: the whole chat)."""
    children: dict[str, list[T]] = {}
    for m in rows:
        if m.parent_id:
            children.setdefault(m.parent_id, []).append(m)
    out, todo = [], [root]
    while todo:
        node = todo.pop()
        out.append(node)
        todo.extend(children.get(node_of(node), []))
    return out


def delete_subtree(s: Session, chat: Chat, rows: Sequence[T], root: T) -> int:
    """Delete `root` and every message below it (rows: the whole chat), not committed; a branch
    pointer inside the subtree moves to root's parent. Returns how many messages went."""
    doomed = {node_of(m): m.id for m in subtree_of(rows, root)}
    ids = list(doomed.values())
    for start in range(0, len(ids), 500):
        s.exec(delete(Message).where(col(Message.id).in_(ids[start : start + 500])))
    if chat.current_message_id is None or chat.current_message_id in doomed:
        chat.current_message_id = root.parent_id
        s.add(chat)
    return len(ids)


@dataclass(frozen=True)
class ChatView:
    chat: Chat
    preview: str


class ChatStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_chat(
        self,
        org_id: str,
        member_id: str,
        title: str,
        integration_id: str | None,
        cap: int,
        *,
        project_id: str | None = None,
    ) -> Chat:
        """A new empty chat on a database integration, or on a document project (`project_id`)."""
        with Session(self.engine, expire_on_commit=False) as s:
            check_open_chat_cap(s, member_id, cap)
            now = utcnow()
            chat = Chat(
                id=new_id(),
                organization_id=org_id,
                member_id=member_id,
                title=title,
                integration_id=integration_id,
                project_id=project_id,
                source_type="project" if project_id else "database",
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
        """The chat's current branch (docs/openwebui.md: the history is a tree), oldest first."""
        with Session(self.engine, expire_on_commit=False) as s:
            current = s.exec(select(Chat.current_message_id).where(col(Chat.id) == chat_id)).first()
            stmt = select(Message).where(Message.chat_id == chat_id).order_by(col(Message.seq))
            return branch_of(list(s.exec(stmt).all()), current)

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
                delete_chat_rows(s, owned)
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
        """Append under the chat's current message (seq = last + 1), make it current, mark the chat active."""
        message = self._append(chat_id, role, content, meta or {})
        assert message is not None  # only a claim can refuse
        return message

    def start_turn(
        self,
        chat_id: str,
        turn_id: str,
        stale_before: datetime,
        question: str,
        meta: dict[str, Any],
        *,
        edit_of: Message | None = None,
    ) -> Message | None:
        """A turn's start in one transaction: claim the chat for `turn_id` (None when another turn runs
        and is not stale), for an edit point the chat at the edited message's parent (a new branch that
        loses nothing, docs/openwebui.md), and append the question."""
        return self._append(chat_id, "user", question, meta, claim=(turn_id, stale_before), edit_of=edit_of)

    def _append(
        self,
        chat_id: str,
        role: str,
        content: str,
        meta: dict[str, Any],
        *,
        claim: tuple[str, datetime] | None = None,
        edit_of: Message | None = None,
    ) -> Message | None:
        """Writers of one chat queue on its row lock (PostgreSQL); where there is none (SQLite) two may
        pick the same seq, and the loser's insert hits the unique (chat_id, seq) key, rolls back and
        takes the next one. Either way a committed message is never lost. The pointer and the last
        seq are read in one statement (after the lock), so a stale pointer comes with a taken seq.
        A claim is the transaction's first write: on SQLite that takes the write lock at once."""
        last_seq = select(func.max(Message.seq)).where(col(Message.chat_id) == chat_id).scalar_subquery()
        for attempt in range(APPEND_ATTEMPTS):
            with Session(self.engine, expire_on_commit=False) as s:
                if claim is not None and not self._claim(s, chat_id, *claim):
                    s.rollback()
                    return None
                chat = s.exec(select(Chat).where(col(Chat.id) == chat_id).with_for_update()).first()
                if chat is None:
                    raise ApiError("CHAT_NOT_FOUND", "Chat not found")
                current, last = s.exec(select(Chat.current_message_id, last_seq).where(col(Chat.id) == chat_id)).one()
                if edit_of is not None:
                    current = edit_of.parent_id
                now = utcnow()
                msg_id = new_id()
                msg = Message(
                    id=msg_id,
                    chat_id=chat_id,
                    seq=(last or 0) + 1,
                    role=role,
                    content=content,
                    meta=meta,
                    created_at=now,
                    node_id=msg_id,
                    parent_id=current,
                )
                chat.last_activity_at = now
                chat.current_message_id = msg_id
                s.add(msg)
                s.add(chat)
                try:
                    s.commit()
                    return msg
                except IntegrityError:
                    s.rollback()  # another writer took this seq: retry with the next one
                    # Jittered backoff: writers that collided do not collide again in lockstep.
                    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise ApiError("INTERNAL", "Could not append the message: too much concurrent activity on this chat")

    # --- one turn per chat ---------------------------------------------------------------

    @staticmethod
    def _claim(s: Session, chat_id: str, turn_id: str, stale_before: datetime) -> bool:
        free = col(Chat.active_turn_id).is_(None) | (col(Chat.active_turn_started_at) < stale_before)
        claim = update(Chat).where(col(Chat.id) == chat_id, free)
        result = s.exec(claim.values(active_turn_id=turn_id, active_turn_started_at=utcnow()))
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
        """Delete a message and every message after it (its subtree); returns how many went.

        A branch pointer inside the subtree moves to the message's parent.
        """
        with Session(self.engine) as s:
            chat = s.exec(select(Chat).where(col(Chat.id) == message.chat_id).with_for_update()).first()
            if chat is None:
                return 0
            rows = list(s.exec(select(Message).where(col(Message.chat_id) == message.chat_id)).all())
            count = delete_subtree(s, chat, rows, message)
            s.commit()
            return count

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
                    col(Message.webui_keys).is_(None),  # written by a turn, not by an Open WebUI client
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
