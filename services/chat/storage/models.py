"""Tables owned by the Chat service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, false
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
    __table_args__ = (
        Index("ix_chats_member_activity", "member_id", "last_activity_at"),
        # Open WebUI's lists: a member's chats by archived/pinned, newest first.
        Index("ix_chats_member_webui_lists", "member_id", "archived", "pinned", "last_activity_at"),
        Index("uq_chats_share_id", "share_id", unique=True),
    )
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = _fk("organizations.id")
    member_id: str = _fk("members.id", index=False)
    title: str = Field(max_length=500)
    integration_id: str | None = Field(
        default=None,
        sa_column=Column(String(64), ForeignKey("integrations.id", ondelete="SET NULL"), nullable=True),
    )
    # "project" when the chat answers from a document project (project_id), else "database".
    source_type: str = Field(default="database", max_length=16)
    # No foreign key (SQLite adds one to an existing table only by rebuilding it): the project store
    # detaches a project's chats when it deletes the project.
    project_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True, index=True))
    created_at: datetime = _ts()
    last_activity_at: datetime = _ts()
    # The turn running in this chat (one at a time, across replicas); stale after a crash.
    active_turn_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    active_turn_started_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    # Open WebUI's view of the chat (docs/openwebui.md); a chat made by ChatService has the defaults.
    # The branch pointer: the node id (Message.node_id) of the message the conversation ends at.
    current_message_id: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    # The document's top-level keys other than id, title, history and messages, as given.
    webui_keys: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    # The chat's `meta` other than `tags` (those are rows of webui_chat_tags).
    webui_meta: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    archived: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    pinned: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    # No foreign key (SQLite adds one to an existing table only by rebuilding it): the folder store
    # deletes or moves a folder's chats with the folder, and locks a folder a chat is moved into.
    folder_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True, index=True))
    share_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_chat_seq", "chat_id", "seq", unique=True),
        Index("ix_messages_chat_node", "chat_id", "node_id", unique=True),
        Index("ix_messages_chat_parent", "chat_id", "parent_id"),
    )
    id: str = Field(primary_key=True, max_length=64)
    chat_id: str = _fk("chats.id", index=False)
    seq: int
    role: str = Field(max_length=16)
    content: str = ""
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column("metadata", JSON, nullable=False))
    created_at: datetime = _ts()
    # The history tree (docs/openwebui.md): the message's id in the chat's document (a turn's
    # message: its own id) and its parent's, None at a root. Children follow from the parents.
    node_id: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    parent_id: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    # The keys of an Open WebUI message that have no column, as given; None for a turn's message.
    webui_keys: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))


class Project(SQLModel, table=True):
    """A document project: a named set of documents (stored by the Upload service) chats answer from."""

    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_org_updated", "organization_id", "updated_at"),)
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = _fk("organizations.id", index=False)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    # Set while the project is being deleted: it is gone for every reader, and a document whose upload
    # was in flight finds it gone after committing (project_store.py, "Deleting").
    deleting_since: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


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


class WebuiFolder(SQLModel, table=True):
    """A folder of a member's chats (Open WebUI); sibling names are unique regardless of case."""

    __tablename__ = "webui_folders"
    __table_args__ = (UniqueConstraint("member_id", "parent_key", "name_key", name="uq_webui_folders_sibling_name"),)
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = _fk("organizations.id")
    member_id: str = _fk("members.id", index=False)
    parent_id: str | None = Field(
        default=None,
        sa_column=Column(String(64), ForeignKey("webui_folders.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    parent_key: str = Field(max_length=64)  # parent_id, or "" at the root: the unique key's column
    name: str = Field(max_length=255)
    name_key: str = Field(max_length=255)  # the name case-folded
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    is_expanded: bool = False
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class WebuiChatTag(SQLModel, table=True):
    """A tag on a chat; a member's tags are the ones their chats carry."""

    __tablename__ = "webui_chat_tags"
    __table_args__ = (Index("ix_webui_chat_tags_member_tag", "member_id", "tag_id"),)
    chat_id: str = Field(
        sa_column=Column(String(64), ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True, nullable=False)
    )
    tag_id: str = Field(primary_key=True, max_length=255)  # the name lower-cased, spaces as _
    member_id: str = _fk("members.id", index=False)
    name: str = Field(max_length=255)
    created_at: datetime = _ts()


class WebuiShare(SQLModel, table=True):
    """A chat's share: a frozen snapshot of its document, readable within the organization."""

    __tablename__ = "webui_shares"
    id: str = Field(primary_key=True, max_length=64)  # the share id
    chat_id: str = Field(
        sa_column=Column(String(64), ForeignKey("chats.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    organization_id: str = _fk("organizations.id")
    member_id: str = _fk("members.id")
    title: str = Field(max_length=500)
    snapshot: str = Field(sa_column=Column(Text, nullable=False))  # the document, JSON text
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class PersonalApiKey(SQLModel, table=True):
    """A member's own API key (`sk-…`) for Open WebUI clients; only its SHA-256 is kept."""

    __tablename__ = "personal_api_keys"
    id: str = Field(primary_key=True, max_length=64)
    organization_id: str = _fk("organizations.id")
    member_id: str = _fk("members.id")
    key_hash: str = Field(max_length=64, unique=True)
    key_prefix: str = Field(max_length=16)
    created_at: datetime = _ts()
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


TABLES = {
    t.__tablename__
    for t in (
        Organization,
        Member,
        ApiKey,
        Integration,
        Chat,
        Message,
        SavedQuery,
        UserMemory,
        OrganizationRule,
        WebuiFolder,
        WebuiChatTag,
        WebuiShare,
        PersonalApiKey,
        Project,
    )
}
