"""Tables owned by the Chat service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common.database import utcnow


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, **kw))


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(String(64), ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index),
    )


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    created_at: datetime = _ts()


class Member(SQLModel, table=True):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("organization_id", "email", name="uq_members_org_email"),)
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = _fk("organizations.id")
    email: str = Field(max_length=320)
    name: str = Field(default="", max_length=200)
    role: str = Field(default="member", max_length=16)
    created_at: datetime = _ts()


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = _fk("organizations.id")
    name: str = Field(default="", max_length=200)
    # The key is shown once; only its SHA-256 is kept (keys are 256-bit random, so no KDF needed).
    key_hash: str = Field(max_length=64, unique=True)
    key_prefix: str = Field(max_length=16)
    created_at: datetime = _ts()
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class Integration(SQLModel, table=True):
    __tablename__ = "integrations"
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = _fk("organizations.id")
    display_name: str = Field(max_length=200)
    type: str = Field(default="database", max_length=32)
    dialect: str = Field(max_length=32)
    url_encrypted: str
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Chat(SQLModel, table=True):
    __tablename__ = "chats"
    __table_args__ = (Index("ix_chats_member_activity", "member_id", "last_activity_at"),)
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = _fk("organizations.id")
    member_id: str = _fk("members.id", index=False)
    title: str = Field(max_length=500)
    integration_id: str | None = Field(
        default=None,
        sa_column=Column(String(64), ForeignKey("integrations.id", ondelete="SET NULL"), nullable=True),
    )
    source_type: str = Field(default="database", max_length=16)
    created_at: datetime = _ts()
    last_activity_at: datetime = _ts()
    # The turn running in this chat (one at a time, across replicas); stale after a crash.
    active_turn_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    active_turn_started_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_chat_seq", "chat_id", "seq", unique=True),)
    id: str = Field(primary_key=True, max_length=64)
    chat_id: str = _fk("chats.id", index=False)
    seq: int
    role: str = Field(max_length=16)
    content: str = ""
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column("metadata", JSON, nullable=False))
    created_at: datetime = _ts()


class SavedQuery(SQLModel, table=True):
    __tablename__ = "saved_queries"
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = _fk("organizations.id")
    title: str = Field(max_length=500)
    description: str = ""
    prompt: str
    # None: a prompt-only query. May hold {{name}} placeholders.
    sql: str | None = Field(default=None)
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    last_updated_by: str | None = Field(
        default=None,
        sa_column=Column(String(64), ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class UserMemory(SQLModel, table=True):
    __tablename__ = "user_memories"
    __table_args__ = (Index("ix_user_memories_member_updated", "member_id", "updated_at"),)
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = _fk("organizations.id")
    member_id: str = _fk("members.id", index=False)
    content: str
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class OrganizationRule(SQLModel, table=True):
    __tablename__ = "organization_rules"
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = _fk("organizations.id")
    content: str
    created_by: str | None = Field(
        default=None,
        sa_column=Column(String(64), ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    last_updated_by: str | None = Field(
        default=None,
        sa_column=Column(String(64), ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


TABLES = {
    t.__tablename__
    for t in (Organization, Member, ApiKey, Integration, Chat, Message, SavedQuery, UserMemory, OrganizationRule)
}
