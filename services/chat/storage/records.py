"""The one store pattern: rows owned by an organization (and optionally a member), looked up by id.

A row of another organization or member is reported exactly like a missing one, so ids leak nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from services.common.database import utcnow
from services.common.errors import ApiError
from services.common.ids import canonical_uuid

R = TypeVar("R", bound=SQLModel)


class OwnedRecords(Generic[R]):
    """Get, insert, update and delete rows of `model` scoped by `organization_id` (and `member_id`)."""

    model: ClassVar[type[Any]]
    not_found: ClassVar[tuple[str, str]]  # (code, detail) of the ApiError for a missing row

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _owned(self, s: Session, org_id: str, record_id: str, member_id: str | None = None) -> R:
        key = canonical_uuid(record_id)
        row = s.get(self.model, key) if key else None
        if row is None or row.organization_id != org_id or (member_id is not None and row.member_id != member_id):
            raise ApiError(*self.not_found)
        return row

    def _get(self, org_id: str, record_id: str, member_id: str | None = None) -> R:
        with Session(self.engine, expire_on_commit=False) as s:
            return self._owned(s, org_id, record_id, member_id)

    def _insert(self, row: R) -> R:
        with Session(self.engine, expire_on_commit=False) as s:
            s.add(row)
            s.commit()
            return row

    def _update(self, org_id: str, record_id: str, changes: dict[str, Any], member_id: str | None = None) -> R:
        """Apply `changes` (column -> value) and stamp `updated_at`; no changes leaves the row as it was."""
        with Session(self.engine, expire_on_commit=False) as s:
            row = self._owned(s, org_id, record_id, member_id)
            if changes:
                for column, value in changes.items():
                    setattr(row, column, value)
                row.updated_at = utcnow()
                s.add(row)
                s.commit()
            return row

    def _delete(self, org_id: str, record_id: str, member_id: str | None = None) -> None:
        with Session(self.engine) as s:
            s.delete(self._owned(s, org_id, record_id, member_id))
            s.commit()
