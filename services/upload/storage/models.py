"""Tables owned by the Upload service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from services.common.database import utcnow


class Upload(SQLModel, table=True):
    """A stored file: a member's attachment to one of their chats, or a document of a project.

    A project's document has `project_id` set and `chat_id` empty; it belongs to the organization
    (`member_id` is the admin who added it). Every query for a member's uploads requires
    `project_id IS NULL`, every query for documents names the project.
    """

    __tablename__ = "uploads"
    __table_args__ = (
        Index("ix_uploads_chat_created", "chat_id", "created_at"),
        Index("ix_uploads_owner_chat", "organization_id", "member_id", "chat_id"),
        Index("ix_uploads_project", "organization_id", "project_id", "created_at"),
    )
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = Field(max_length=64, index=True)
    member_id: str = Field(max_length=64)
    # The chat and the project live in the Chat service's database: no foreign key across services.
    chat_id: str = Field(max_length=64)
    project_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    message_id: str | None = Field(default=None, max_length=64)
    filename: str = Field(max_length=255)
    mime_type: str = Field(max_length=128)
    upload_type: str = Field(max_length=16)
    file_size: int
    storage_key: str = Field(max_length=512)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class UploadChunk(SQLModel, table=True):
    """A piece of an upload's text (PDF page text, CSV/XLSX rows, an image caption) for retrieval.

    The full-text index over `text` is dialect-specific and lives outside this model (migration
    0002): an FTS5 table kept in sync by triggers on SQLite, a generated `tsv` column with a GIN
    index on PostgreSQL (see search_index.py).
    """

    __tablename__ = "upload_chunks"
    __table_args__ = (
        Index("ix_upload_chunks_upload", "upload_id", "chunk_index"),
        Index("ix_upload_chunks_owner_chat", "organization_id", "member_id", "chat_id"),
        Index("ix_upload_chunks_project", "organization_id", "project_id"),
    )
    # INTEGER PRIMARY KEY: SQLite's rowid, which the FTS5 table refers to.
    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    upload_id: str = Field(sa_column=Column(String(64), ForeignKey("uploads.id", ondelete="CASCADE"), nullable=False))
    organization_id: str = Field(max_length=64)
    member_id: str = Field(max_length=64)
    chat_id: str = Field(max_length=64)
    project_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    chunk_index: int
    text: str = Field(sa_column=Column(Text, nullable=False))


TABLES = {"uploads", "upload_chunks"}
