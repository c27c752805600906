"""Persistence of upload rows and their text chunks.

Every query is scoped to the organization, and either to the member (a chat's uploads, never a
project's document) or to one project (its documents, the organization's).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from services.common.errors import ApiError
from services.common.ids import canonical_uuid
from services.upload.storage.models import Upload, UploadChunk
from services.upload.storage.search_index import Hit, Scope, leading_chunks, search

INSERT_BATCH = 500


def _members(org_id: str, member_id: str) -> ColumnElement[bool]:
    """A chat's upload of this member (a project's document is nobody's upload)."""
    return (
        (col(Upload.organization_id) == org_id)
        & (col(Upload.member_id) == member_id)
        & col(Upload.project_id).is_(None)
    )


def _readable(org_id: str, member_id: str) -> ColumnElement[bool]:
    """What a member may read: their own uploads, and the documents of their organization's projects."""
    documents = (col(Upload.organization_id) == org_id) & col(Upload.project_id).is_not(None)
    return or_(_members(org_id, member_id), documents)


class UploadStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def list_for_chat(self, org_id: str, member_id: str, chat_id: str) -> list[Upload]:
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = (
                select(Upload)
                .where(_members(org_id, member_id), Upload.chat_id == chat_id)
                .order_by(col(Upload.created_at), col(Upload.id))
            )
            return list(s.exec(stmt).all())

    def _one(self, upload_id: str, scope: ColumnElement[bool]) -> Upload | None:
        key = canonical_uuid(upload_id)
        if key is None:
            return None
        with Session(self.engine, expire_on_commit=False) as s:
            return s.exec(select(Upload).where(col(Upload.id) == key, scope)).first()

    def get_owned(self, org_id: str, member_id: str, upload_id: str) -> Upload | None:
        """One of the member's chat uploads."""
        return self._one(upload_id, _members(org_id, member_id))

    def get_readable(self, org_id: str, member_id: str, upload_id: str) -> Upload | None:
        """One of the member's chat uploads, or a document of one of their organization's projects."""
        return self._one(upload_id, _readable(org_id, member_id))

    def get_document(self, org_id: str, project_id: str, document_id: str) -> Upload | None:
        return self._one(document_id, (col(Upload.organization_id) == org_id) & (col(Upload.project_id) == project_id))

    def get_many_readable(self, org_id: str, member_id: str, upload_ids: list[str]) -> list[Upload]:
        """The readable uploads among `upload_ids` (see `get_readable`), in the order asked (unknown or
        foreign ids left out)."""
        keys = list(dict.fromkeys(k for k in (canonical_uuid(i) for i in upload_ids) if k))
        if not keys:
            return []
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = select(Upload).where(col(Upload.id).in_(keys), _readable(org_id, member_id))
            found = {row.id: row for row in s.exec(stmt).all()}
        return [found[k] for k in keys if k in found]

    def chat_images(self, org_id: str, chat_id: str, upload_ids: list[str]) -> list[Upload]:
        """The images of a chat of the organization among `upload_ids`, whoever's, in the order asked
        (anything else left out): for a reader or a copy the Chat service granted."""
        keys = list(dict.fromkeys(k for k in (canonical_uuid(i) for i in upload_ids) if k))
        if not keys:
            return []
        scope = (
            (col(Upload.organization_id) == org_id)
            & (col(Upload.chat_id) == chat_id)
            & col(Upload.project_id).is_(None)
            & (col(Upload.upload_type) == "image")
        )
        with Session(self.engine, expire_on_commit=False) as s:
            found = {row.id: row for row in s.exec(select(Upload).where(col(Upload.id).in_(keys), scope)).all()}
        return [found[k] for k in keys if k in found]

    def create_copy(self, source: Upload, row: Upload) -> Upload:
        """`row`, a copy of `source` (its object already copied), with copies of its chunks, in one
        transaction: the copy is found by the same searches as the source."""
        with Session(self.engine, expire_on_commit=False) as s:
            s.add(row)
            s.flush()
            chunks = s.exec(
                select(UploadChunk.chunk_index, UploadChunk.text).where(col(UploadChunk.upload_id) == source.id)
            ).all()
            values = [
                {
                    "upload_id": row.id,
                    "organization_id": row.organization_id,
                    "member_id": row.member_id,
                    "chat_id": row.chat_id,
                    "project_id": None,
                    "chunk_index": index,
                    "text": text,
                }
                for index, text in chunks
            ]
            for start in range(0, len(values), INSERT_BATCH):
                s.execute(insert(UploadChunk), values[start : start + INSERT_BATCH])
            s.commit()
        return row

    def list_for_project(self, org_id: str, project_id: str) -> list[Upload]:
        """A project's documents, oldest first."""
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = (
                select(Upload)
                .where(Upload.organization_id == org_id, Upload.project_id == project_id)
                .order_by(col(Upload.created_at), col(Upload.id))
            )
            return list(s.exec(stmt).all())

    def create(self, row: Upload, chunks: list[str]) -> Upload:
        """The upload row and its chunks (so its index entries) in one transaction."""
        with Session(self.engine, expire_on_commit=False) as s:
            s.add(row)
            s.flush()
            values = [
                {
                    "upload_id": row.id,
                    "organization_id": row.organization_id,
                    "member_id": row.member_id,
                    "chat_id": row.chat_id,
                    "project_id": row.project_id,
                    "chunk_index": i,
                    "text": text,
                }
                for i, text in enumerate(chunks)
            ]
            for start in range(0, len(values), INSERT_BATCH):
                s.execute(insert(UploadChunk), values[start : start + INSERT_BATCH])
            s.commit()
        return row

    def delete(self, upload_id: str) -> None:
        """The row and its index entries (the chunks; the FTS triggers or tsv column follow them)."""
        with Session(self.engine) as s:
            s.execute(delete(UploadChunk).where(col(UploadChunk.upload_id) == upload_id))
            s.execute(delete(Upload).where(col(Upload.id) == upload_id))
            s.commit()

    def owned_in_chats(self, org_id: str, member_id: str, chat_ids: list[str]) -> list[Upload]:
        with Session(self.engine, expire_on_commit=False) as s:
            stmt = select(Upload).where(col(Upload.chat_id).in_(chat_ids), _members(org_id, member_id))
            return list(s.exec(stmt).all())

    def link(self, org_id: str, member_id: str, chat_id: str, message_id: str, upload_ids: list[str]) -> list[Upload]:
        """Attach the caller's uploads of `chat_id` to a user message: all of them or none.

        An upload already linked (re-sent with a later message of its chat) keeps its first
        message_id: the message it came with."""
        keys = [canonical_uuid(i) for i in upload_ids]
        with Session(self.engine, expire_on_commit=False) as s:
            wanted = list(dict.fromkeys(k for k in keys if k))
            stmt = select(Upload).where(
                col(Upload.id).in_(wanted), _members(org_id, member_id), Upload.chat_id == chat_id
            )
            found = {row.id: row for row in s.exec(stmt).all()} if wanted else {}
            for raw, key in zip(upload_ids, keys, strict=True):
                if key is None or key not in found:
                    raise ApiError("NOT_FOUND", f"Upload not found: {raw}")
            first = [k for k in wanted if found[k].message_id is None]
            if first:
                # `message_id IS NULL` again in the update: of two concurrent links, the first one wins.
                stmt_update = update(Upload).where(col(Upload.id).in_(first), col(Upload.message_id).is_(None))
                s.execute(stmt_update.values(message_id=message_id))
            s.commit()
            for key in first:
                s.refresh(found[key])
        return [found[k] for k in wanted]

    def search(
        self, org_id: str, member_id: str, chat_id: str, query: str, upload_ids: list[str], limit: int
    ) -> list[Hit]:
        keys = [k for k in (canonical_uuid(i) for i in upload_ids) if k]
        if upload_ids and not keys:
            return []
        scope = Scope(org_id, member_id, chat_id, tuple(keys))
        with self.engine.connect() as conn:
            hits = search(conn, scope, query, limit)
            if not hits and keys:
                # Nothing matched the words, but the caller named the files (a message's attachments):
                # their opening chunks are the best context there is.
                hits = leading_chunks(conn, scope, limit)
        return hits

    def search_project(self, org_id: str, project_id: str, query: str, limit: int) -> list[Hit]:
        """The chunks of the project's documents best matching `query` (none when nothing matches)."""
        with self.engine.connect() as conn:
            return search(conn, Scope(org_id, "", "", project_id=project_id), query, limit)
