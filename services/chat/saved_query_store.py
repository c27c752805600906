"""Persistence of saved queries (contract §5). Every query filters by organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.chat.models import Member, SavedQuery
from services.common.database import utcnow
from services.common.errors import ApiError
from services.common.ids import canonical_uuid, new_id

# The columns an update may change (the rest are server-managed).
EDITABLE = frozenset({"title", "description", "prompt", "sql", "keywords"})


@dataclass(frozen=True)
class SavedQueryView:
    query: SavedQuery
    last_updated_by_name: str


def _not_found() -> ApiError:
    return ApiError("NOT_FOUND", "Saved query not found")


def _display_name(member: Member | None) -> str:
    return (member.name or member.email) if member is not None else ""


class SavedQueryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _owned(self, s: Session, org_id: str, query_id: str) -> SavedQuery:
        key = canonical_uuid(query_id)
        row = s.get(SavedQuery, key) if key is not None else None
        if row is None or row.organization_id != org_id:
            raise _not_found()
        return row

    def _view(self, s: Session, row: SavedQuery) -> SavedQueryView:
        member = s.get(Member, row.last_updated_by) if row.last_updated_by else None
        return SavedQueryView(row, _display_name(member))

    def list_all(self, org_id: str) -> list[SavedQueryView]:
        with Session(self.engine, expire_on_commit=False) as s:
            rows = s.exec(
                select(SavedQuery, Member)
                .join(Member, col(SavedQuery.last_updated_by) == col(Member.id), isouter=True)
                .where(SavedQuery.organization_id == org_id)
                .order_by(col(SavedQuery.created_at), col(SavedQuery.id))
            ).all()
            return [SavedQueryView(row, _display_name(member)) for row, member in rows]

    def get(self, org_id: str, query_id: str) -> SavedQueryView:
        with Session(self.engine, expire_on_commit=False) as s:
            return self._view(s, self._owned(s, org_id, query_id))

    def create(
        self,
        org_id: str,
        member_id: str,
        *,
        title: str,
        prompt: str,
        sql: str | None,
        description: str,
        keywords: list[str],
    ) -> SavedQueryView:
        now = utcnow()
        row = SavedQuery(
            id=new_id(),
            organization_id=org_id,
            title=title,
            description=description,
            prompt=prompt,
            sql=sql,
            keywords=keywords,
            last_updated_by=member_id,
            created_at=now,
            updated_at=now,
        )
        with Session(self.engine, expire_on_commit=False) as s:
            s.add(row)
            s.commit()
            return self._view(s, row)

    def update(self, org_id: str, member_id: str, query_id: str, changes: dict[str, Any]) -> SavedQueryView:
        unknown = set(changes) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        with Session(self.engine, expire_on_commit=False) as s:
            row = self._owned(s, org_id, query_id)
            if changes:
                for field, value in changes.items():
                    setattr(row, field, list(value) if field == "keywords" else value)
                row.last_updated_by = member_id
                row.updated_at = utcnow()
                s.add(row)
                s.commit()
            return self._view(s, row)

    def delete(self, org_id: str, query_id: str) -> None:
        with Session(self.engine) as s:
            row = self._owned(s, org_id, query_id)
            s.delete(row)
            s.commit()
