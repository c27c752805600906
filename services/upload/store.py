"""Persistence of upload rows; every query is scoped to the organization and member."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.common.ids import canonical_uuid
from services.upload.models import Upload


class UploadStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def list_for_chat(self, org_id: str, member_id: str, chat_id: str) -> list[Upload]:
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = (
                select(Upload)
                .where(Upload.organization_id == org_id, Upload.member_id == member_id, Upload.chat_id == chat_id)
                .order_by(col(Upload.created_at))
            )
            return list(s.exec(stmt).all())

    def get_owned(self, org_id: str, member_id: str, upload_id: str) -> Upload | None:
        key = canonical_uuid(upload_id)
        if key is None:
            return None
        with Session(self.engine, expire_on_commit=False) as s:
            row = s.get(Upload, key)
            if row is None or row.organization_id != org_id or row.member_id != member_id:
                return None
            return row

    def delete(self, upload_id: str) -> None:
        with Session(self.engine) as s:
            row = s.get(Upload, upload_id)
            if row is not None:
                s.delete(row)
                s.commit()
