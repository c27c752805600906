"""Persistence of user memories: per member, inside one organization (docs/api.md)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from services.chat.storage.models import UserMemory
from services.chat.storage.records import OwnedRecords
from services.common.database import utcnow
from services.common.ids import new_id


class MemoryStore(OwnedRecords[UserMemory]):
    model = UserMemory
    not_found = ("NOT_FOUND", "Memory not found")

    def list_for(self, org_id: str, member_id: str) -> list[UserMemory]:
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = (
                select(UserMemory)
                .where(UserMemory.organization_id == org_id, UserMemory.member_id == member_id)
                .order_by(col(UserMemory.updated_at).desc(), col(UserMemory.id))
            )
            return list(s.exec(stmt).all())

    def get(self, org_id: str, member_id: str, memory_id: str) -> UserMemory:
        return self._get(org_id, memory_id, member_id)

    def create(self, org_id: str, member_id: str, content: str) -> UserMemory:
        now = utcnow()
        return self._insert(
            UserMemory(
                id=new_id(),
                organization_id=org_id,
                member_id=member_id,
                content=content,
                created_at=now,
                updated_at=now,
            )
        )

    def update(self, org_id: str, member_id: str, memory_id: str, content: str) -> UserMemory:
        return self._update(org_id, memory_id, {"content": content}, member_id)

    def delete(self, org_id: str, member_id: str, memory_id: str) -> None:
        self._delete(org_id, memory_id, member_id)
