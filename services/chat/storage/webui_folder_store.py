"""A member's chat folders for Open WebUI (docs/openwebui.md): a tree; sibling names are unique
regardless of case (a unique key on the parent and the case-folded name)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select, update

from services.chat.storage.chat_store import delete_chat_rows
from services.chat.storage.models import Chat, WebuiFolder
from services.common.database import utcnow
from services.common.errors import ApiError
from services.common.ids import canonical_uuid, new_id

MAX_NAME = 255


def folder_key(name: str) -> str:
    """What makes two sibling names the same: case is ignored."""
    return name.strip().casefold()


def search_key(name: str) -> str:
    """A folder name as `folder:` search words name it: case-folded, spaces as `_`."""
    return folder_key(name).replace(" ", "_")


def clean_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ApiError("INVALID_REQUEST", f"name: must be 1 to {MAX_NAME} characters")
    return name


def subtree_ids(folders: Collection[WebuiFolder], roots: Collection[str]) -> set[str]:
    """The roots and every folder below them."""
    children: dict[str, list[str]] = {}
    for f in folders:
        if f.parent_id:
            children.setdefault(f.parent_id, []).append(f.id)
    out: set[str] = set()
    todo = list(roots)
    while todo:
        folder_id = todo.pop()
        if folder_id not in out:
            out.add(folder_id)
            todo.extend(children.get(folder_id, []))
    return out


def member_folders(s: Session, org_id: str, member_id: str) -> list[WebuiFolder]:
    stmt = (
        select(WebuiFolder)
        .where(col(WebuiFolder.organization_id) == org_id, col(WebuiFolder.member_id) == member_id)
        .order_by(col(WebuiFolder.created_at), col(WebuiFolder.id))
    )
    return list(s.exec(stmt).all())


@dataclass(frozen=True)
class DeletedFolder:
    folders: int
    deleted_chat_ids: list[str]  # their uploads are the caller's to drop
    moved_chats: int


class WebuiFolderStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def list(self, org_id: str, member_id: str) -> list[WebuiFolder]:
        with Session(self.engine, expire_on_commit=False) as s:
            return member_folders(s, org_id, member_id)

    def get(self, org_id: str, member_id: str, folder_id: str) -> WebuiFolder:
        with Session(self.engine, expire_on_commit=False) as s:
            return self._owned(s, org_id, member_id, folder_id)

    def create(
        self,
        org_id: str,
        member_id: str,
        name: str,
        parent_id: str | None,
        meta: dict[str, Any],
        data: dict[str, Any],
    ) -> WebuiFolder:
        with Session(self.engine, expire_on_commit=False) as s:
            parent = self._owned(s, org_id, member_id, parent_id, for_update=True) if parent_id else None
            now = utcnow()
            folder = WebuiFolder(
                id=new_id(),
                organization_id=org_id,
                member_id=member_id,
                parent_id=parent.id if parent else None,
                parent_key=parent.id if parent else "",
                name=clean_name(name),
                name_key=folder_key(name),
                meta=meta,
                data=data,
                created_at=now,
                updated_at=now,
            )
            return self._commit(s, folder)

    def update(
        self,
        org_id: str,
        member_id: str,
        folder_id: str,
        name: str | None,
        meta: dict[str, Any],
        data: dict[str, Any],
    ) -> WebuiFolder:
        """Rename, and shallow-merge `meta` and `data` into the stored ones."""
        with Session(self.engine, expire_on_commit=False) as s:
            folder = self._owned(s, org_id, member_id, folder_id, for_update=True)
            if name is not None:
                folder.name, folder.name_key = clean_name(name), folder_key(name)
            folder.meta = {**folder.meta, **meta}
            folder.data = {**folder.data, **data}
            folder.updated_at = utcnow()
            return self._commit(s, folder)

    def move(self, org_id: str, member_id: str, folder_id: str, parent_id: str | None) -> WebuiFolder:
        with Session(self.engine, expire_on_commit=False) as s:
            folder = self._owned(s, org_id, member_id, folder_id, for_update=True)
            if parent_id:
                parent = self._owned(s, org_id, member_id, parent_id)
                if parent.id in subtree_ids(member_folders(s, org_id, member_id), [folder.id]):
                    raise ApiError("INVALID_REQUEST", "parent_id: a folder cannot move into itself or its sub-folders")
            folder.parent_id = parent.id if parent_id else None
            folder.parent_key = folder.parent_id or ""
            folder.updated_at = utcnow()
            return self._commit(s, folder)

    def set_expanded(self, org_id: str, member_id: str, folder_id: str, expanded: bool) -> WebuiFolder:
        with Session(self.engine, expire_on_commit=False) as s:
            folder = self._owned(s, org_id, member_id, folder_id, for_update=True)
            folder.is_expanded = expanded
            folder.updated_at = utcnow()
            return self._commit(s, folder)

    def delete(self, org_id: str, member_id: str, folder_id: str, keep_contents: bool) -> DeletedFolder:
        """The folder and its subtree; their chats are deleted (or moved to the root with
        keep_contents), archived ones always moved to the root, never deleted."""
        with Session(self.engine) as s:
            folder = self._owned(s, org_id, member_id, folder_id, for_update=True)
            doomed = subtree_ids(member_folders(s, org_id, member_id), [folder.id])
            # Locked before their chats are read: a chat being moved into one of them lands first or fails.
            s.exec(select(WebuiFolder.id).where(col(WebuiFolder.id).in_(doomed)).with_for_update()).all()
            mine = (col(Chat.organization_id) == org_id) & (col(Chat.member_id) == member_id)
            inside = mine & col(Chat.folder_id).in_(doomed)
            kept = inside if keep_contents else inside & col(Chat.archived)
            moved = s.exec(update(Chat).where(kept).values(folder_id=None)).rowcount or 0
            chat_ids = list(s.exec(select(Chat.id).where(inside)).all())
            if chat_ids:
                delete_chat_rows(s, chat_ids)
            s.exec(delete(WebuiFolder).where(col(WebuiFolder.id).in_(doomed)))
            s.commit()
            return DeletedFolder(len(doomed), chat_ids, moved)

    @staticmethod
    def _owned(s: Session, org_id: str, member_id: str, folder_id: str, *, for_update: bool = False) -> WebuiFolder:
        key = canonical_uuid(folder_id)
        stmt = select(WebuiFolder).where(
            col(WebuiFolder.id) == key,
            col(WebuiFolder.organization_id) == org_id,
            col(WebuiFolder.member_id) == member_id,
        )
        folder = s.exec(stmt.with_for_update() if for_update else stmt).first() if key else None
        if folder is None:
            raise ApiError("NOT_FOUND", "Folder not found")
        return folder

    @staticmethod
    def _commit(s: Session, folder: WebuiFolder) -> WebuiFolder:
        s.add(folder)
        try:
            s.commit()
        except IntegrityError:  # the unique sibling name (checked here so that races are caught too)
            s.rollback()
            raise ApiError("INVALID_REQUEST", "Folder already exists") from None
        return folder
