"""Persistence of document projects (organization-wide); their documents live in the Upload service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select, update

from services.chat.storage.models import Chat, Project
from services.chat.storage.records import OwnedRecords
from services.common.database import utcnow
from services.common.ids import new_id

PAGE_SIZE = 20
EDITABLE = ("name", "description", "tags")


class ProjectStore(OwnedRecords[Project]):
    model = Project
    not_found = ("NOT_FOUND", "Project not found")

    def list_page(self, org_id: str, page: int) -> tuple[list[Project], int]:
        """One page of the organization's projects, most recently updated first, and how many there are."""
        page = max(page, 1)
        with Session(self.engine, expire_on_commit=False) as s:
            total = s.exec(select(func.count()).select_from(Project).where(Project.organization_id == org_id)).one()
            rows = s.exec(
                select(Project)
                .where(Project.organization_id == org_id)
                .order_by(col(Project.updated_at).desc(), col(Project.id))
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            ).all()
            return list(rows), total

    def get(self, org_id: str, project_id: str) -> Project:
        return self._get(org_id, project_id)

    def create(self, org_id: str, fields: dict[str, Any]) -> Project:
        """A new project with `fields` (name, and optionally description and tags, already checked)."""
        now = utcnow()
        return self._insert(Project(id=new_id(), organization_id=org_id, created_at=now, updated_at=now, **fields))

    def update(self, org_id: str, project_id: str, changes: dict[str, Any]) -> Project:
        """Apply `changes` (a subset of EDITABLE, already checked) and stamp updated_at."""
        return self._update(org_id, project_id, changes)

    def delete(self, org_id: str, project_id: str) -> None:
        """The project goes; its chats stay, detached (later turns have no data source)."""
        with Session(self.engine) as s:
            row = self._owned(s, org_id, project_id)
            s.exec(update(Chat).where(col(Chat.project_id) == row.id).values(project_id=None, source_type="database"))
            s.delete(row)
            s.commit()
