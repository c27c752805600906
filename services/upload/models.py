"""Tables owned by the Upload service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel

from services.common.database import utcnow


class Upload(SQLModel, table=True):
    __tablename__ = "uploads"
    __table_args__ = (Index("ix_uploads_chat_created", "chat_id", "created_at"),)
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = Field(max_length=64, index=True)
    member_id: str = Field(max_length=64)
    # The chat lives in the Chat service's database: no foreign key across services.
    chat_id: str = Field(max_length=64)
    message_id: str | None = Field(default=None, max_length=64)
    filename: str = Field(max_length=255)
    mime_type: str = Field(max_length=128)
    upload_type: str = Field(max_length=16)
    file_size: int
    storage_key: str = Field(max_length=512)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


TABLES = {"uploads"}
