"""Persistence of saved queries (docs/api.md). Every query filters by organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from services.chat.storage.models import Member, SavedQuery
from services.chat.storage.records import OwnedRecords
from services.common.database import utcnow
from services.common.ids import new_id

# The columns an update may change (the rest are server-managed).
EDITABLE = frozenset({"title", "description", "prompt", "sql", "keywords"})


@dataclass(frozen=True)
class SavedQueryView:
    query: SavedQuery
    last_updated_by_name: str


def _display_name(member: Member | None) -> str:
    return (member.name or member.email) if member is not None else ""


class SavedQueryStore(OwnedRecords[SavedQuery]):
    model = SavedQuery
    not_found = ("NOT_FOUND", "Saved query not found")

    def _view(self, s: Session, row: SavedQuery) -> SavedQueryView:
        member = s.get(Member, row.last_updated_by) if row.last_updated_by else None
        return SavedQueryView(row, _display_name(member))

    def _viewed(self, row: SavedQuery) -> SavedQueryView:
        with Session(self.engine, expire_on_commit=False) as s:
            return self._view(s, row)

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
        return self._viewed(self._get(org_id, query_id))

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
        return self._viewed(self._insert(row))

    def update(self, org_id: str, member_id: str, query_id: str, changes: dict[str, Any]) -> SavedQueryView:
        unknown = set(changes) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        columns = {k: list(v) if k == "keywords" else v for k, v in changes.items()}
        if columns:
            columns["last_updated_by"] = member_id
        return self._viewed(self._update(org_id, query_id, columns))

    def delete(self, org_id: str, query_id: str) -> None:
        self._delete(org_id, query_id)
