"""Persistence of user memories: per member, inside one organization (contract §7, §8)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.chat.models import UserMemory
from services.common.database import utcnow
from services.common.errors import ApiError
from services.common.ids import canonical_uuid, new_id


def _not_found() -> ApiError:
    return ApiError("NOT_FOUND", "Memory not found")


class MemoryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def list_for(self, org_id: str, member_id: str) -> list[UserMemory]:
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = (
                select(UserMemory)
                .where(UserMemory.organization_id == org_id, UserMemory.member_id == member_id)
                .order_by(col(UserMemory.updated_at).desc(), col(UserMemory.id))
            )
            return list(s.exec(stmt).all())

    def _owned(self, s: Session, org_id: str, member_id: str, memory_id: str) -> UserMemory:
        key = canonical_uuid(memory_id)
        row = s.get(UserMemory, key) if key else None
        if row is None or row.organization_id != org_id or row.member_id != member_id:
            raise _not_found()
        return row

    def get(self, org_id: str, member_id: str, memory_id: str) -> UserMemory:
        with Session(self.engine, expire_on_commit=False) as s:
            return self._owned(s, org_id, member_id, memory_id)

    def create(self, org_id: str, member_id: str, content: str) -> UserMemory:
        now = utcnow()
        row = UserMemory(
            id=new_id(), organization_id=org_id, member_id=member_id, content=content, created_at=now, updated_at=now
        )
        with Session(self.engine, expire_on_commit=False) as s:
            s.add(row)
            s.commit()
            return row

    def update(self, org_id: str, member_id: str, memory_id: str, content: str) -> UserMemory:
        with Session(self.engine, expire_on_commit=False) as s:
            row = self._owned(s, org_id, member_id, memory_id)
            row.content, row.updated_at = content, utcnow()
            s.add(row)
            s.commit()
            return row

    def delete(self, org_id: str, member_id: str, memory_id: str) -> None:
        with Session(self.engine) as s:
            s.delete(self._owned(s, org_id, member_id, memory_id))
            s.commit()
