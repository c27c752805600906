"""Shares of a member's chats (docs/openwebui.md): a frozen snapshot of the document per chat,
readable within the organization; sharing again refreshes it under the same id."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select, update

from services.chat.storage.models import Chat, WebuiShare
from services.chat.storage.webui_chat_list_store import SortedPage, order, page_window
from services.chat.storage.webui_document import dumps
from services.chat.storage.webui_rows import WebuiChatRecord, full_record, lock_chat, partial_record
from services.common.database import utcnow
from services.common.errors import ApiError
from services.common.ids import canonical_uuid, new_id

ORDER_COLUMNS = {
    "updated_at": col(WebuiShare.updated_at),
    "created_at": col(WebuiShare.created_at),
    "title": col(WebuiShare.title),
}


class WebuiShareStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def share(self, org_id: str, member_id: str, chat_id: str) -> WebuiChatRecord:
        """Snapshot the chat now; the answer is the chat with its share_id."""
        with Session(self.engine, expire_on_commit=False) as s:
            chat = lock_chat(s, org_id, member_id, chat_id)
            snapshot = dumps(full_record(s, chat).document)
            now = utcnow()
            share = s.exec(select(WebuiShare).where(col(WebuiShare.chat_id) == chat.id)).first()
            if share is None:
                share = WebuiShare(
                    id=new_id(),
                    chat_id=chat.id,
                    organization_id=org_id,
                    member_id=member_id,
                    title=chat.title,
                    snapshot=snapshot,
                    created_at=now,
                    updated_at=now,
                )
            else:
                share.title, share.snapshot, share.updated_at = chat.title, snapshot, now
            chat.share_id = share.id
            s.add(share)
            s.add(chat)
            s.flush()
            record = partial_record(s, chat)
            s.commit()
            return record

    def shared(self, org_id: str, share_id: str) -> WebuiShare:
        """A snapshot of the caller's organization; NOT_FOUND for any other."""
        key = canonical_uuid(share_id)
        with Session(self.engine, expire_on_commit=False) as s:
            share = s.get(WebuiShare, key) if key else None
            if share is None or share.organization_id != org_id:
                raise ApiError("NOT_FOUND", "Shared chat not found")
            return share

    def unshare(self, org_id: str, member_id: str, chat_id: str) -> bool:
        with Session(self.engine) as s:
            chat = lock_chat(s, org_id, member_id, chat_id)
            gone = s.exec(delete(WebuiShare).where(col(WebuiShare.chat_id) == chat.id)).rowcount
            chat.share_id = None
            s.add(chat)
            s.commit()
            return bool(gone)

    def list(self, org_id: str, member_id: str, wanted: SortedPage) -> list[WebuiShare]:
        offset, limit = page_window(wanted.page)
        mine = (col(WebuiShare.organization_id) == org_id) & (col(WebuiShare.member_id) == member_id)
        stmt = select(WebuiShare).where(mine)
        if wanted.query:
            stmt = stmt.where(col(WebuiShare.title).icontains(wanted.query, autoescape=True))
        stmt = stmt.order_by(*order(wanted.order_by, wanted.direction, ORDER_COLUMNS, col(WebuiShare.id)))
        with Session(self.engine, expire_on_commit=False) as s:
            return list(s.exec(stmt.offset(offset).limit(limit)).all())

    def unshare_all(self, org_id: str, member_id: str) -> int:
        with Session(self.engine) as s:
            mine = (col(Chat.organization_id) == org_id) & (col(Chat.member_id) == member_id)
            s.exec(update(Chat).where(mine, col(Chat.share_id).is_not(None)).values(share_id=None))
            gone = s.exec(
                delete(WebuiShare).where(
                    col(WebuiShare.organization_id) == org_id, col(WebuiShare.member_id) == member_id
                )
            ).rowcount
            s.commit()
            return gone or 0
