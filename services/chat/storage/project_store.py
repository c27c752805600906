"""Persistence of document projects (organization-wide); their documents live in the Upload service.

Deleting: a project is first marked (`mark_deleting`), then its documents are deleted in the Upload
service, then its row (`delete`). A marked project is gone for every reader (`get`, `list_page`,
`update`), so the Upload service, which asks again for the project once a new document's row is
committed, undoes a document that finds it gone. Either that question comes after the mark, or the
row was committed before the documents were listed for deletion: no document outlives its project.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select, update

from services.chat.storage.models import Chat, Project
from services.chat.storage.records import OwnedRecords
from services.common.database import utcnow
from services.common.errors import ApiError
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
            live = (col(Project.organization_id) == org_id) & col(Project.deleting_since).is_(None)
            total = s.exec(select(func.count()).select_from(Project).where(live)).one()
            rows = s.exec(
                select(Project)
                .where(live)
                .order_by(col(Project.updated_at).desc(), col(Project.id))
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            ).all()
            return list(rows), total

    def _owned(self, s: Session, org_id: str, record_id: str, member_id: str | None = None) -> Project:
        """The organization's project, unless it is being deleted (then NOT_FOUND, like a missing one)."""
        row = self._marked_or_not(s, org_id, record_id)
        if row.deleting_since is not None:
            raise ApiError(*self.not_found)
        return row

    def _marked_or_not(self, s: Session, org_id: str, project_id: str) -> Project:
        return super()._owned(s, org_id, project_id)

    def get(self, org_id: str, project_id: str, *, being_deleted: bool = False) -> Project:
        """The project; with `being_deleted`, also one whose deletion began (to finish or retry it)."""
        if not being_deleted:
            return self._get(org_id, project_id)
        with Session(self.engine, expire_on_commit=False) as s:
            return self._marked_or_not(s, org_id, project_id)

    def create(self, org_id: str, fields: dict[str, Any]) -> Project:
        """A new project with `fields` (name, and optionally description and tags, already checked)."""
        now = utcnow()
        return self._insert(Project(id=new_id(), organization_id=org_id, created_at=now, updated_at=now, **fields))

    def update(self, org_id: str, project_id: str, changes: dict[str, Any]) -> Project:
        """Apply `changes` (a subset of EDITABLE, already checked) and stamp updated_at."""
        return self._update(org_id, project_id, changes)

    def mark_deleting(self, org_id: str, project_id: str, *, deleting: bool = True) -> None:
        """Begin a deletion (the project is gone for readers from now on), or with `deleting=False` call
        it off (the documents could not be deleted: the project is back as it was)."""
        with Session(self.engine) as s:
            row = self._marked_or_not(s, org_id, project_id)
            if deleting and row.deleting_since is None:
                row.deleting_since = utcnow()
            elif not deleting:
                row.deleting_since = None
            s.add(row)
            s.commit()

    def delete(self, org_id: str, project_id: str) -> None:
        """The project goes (marked or not); its chats stay, detached (later turns have no data source)."""
        with Session(self.engine) as s:
            row = self._marked_or_not(s, org_id, project_id)
            s.exec(update(Chat).where(col(Chat.project_id) == row.id).values(project_id=None, source_type="database"))
            s.delete(row)
            s.commit()
