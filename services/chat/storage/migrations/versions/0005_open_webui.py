"""Open WebUI chats: the history tree, folders, tags, shares, personal API keys, message search

Revision ID: 0005
Revises: 0004

Messages become nodes of a tree (node_id, parent_id; a chat's current_message_id is its branch
pointer); existing chats are linear, so each message's parent is the one before it and the
pointer is the last one. The full-text index over message content lives outside the models
(storage/webui_search.py queries it): on SQLite a contentless FTS5 table keyed by the rowid of
`message_search` (message id → integer), on PostgreSQL a tsvector per message in
`message_search` with a GIN index; triggers on `messages` keep both in step.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], ondelete="CASCADE")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "webui_folders",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("parent_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("is_expanded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("member_id", "members.id"),
        _fk("organization_id", "organizations.id"),
        _fk("parent_id", "webui_folders.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "parent_key", "name_key", name="uq_webui_folders_sibling_name"),
    )
    op.create_index(op.f("ix_webui_folders_organization_id"), "webui_folders", ["organization_id"])
    op.create_index(op.f("ix_webui_folders_parent_id"), "webui_folders", ["parent_id"])

    op.create_table(
        "webui_chat_tags",
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("tag_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("chat_id", "chats.id"),
        _fk("member_id", "members.id"),
        sa.PrimaryKeyConstraint("chat_id", "tag_id"),
    )
    op.create_index("ix_webui_chat_tags_member_tag", "webui_chat_tags", ["member_id", "tag_id"])

    op.create_table(
        "webui_shares",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("chat_id", "chats.id"),
        _fk("member_id", "members.id"),
        _fk("organization_id", "organizations.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id"),
    )
    op.create_index(op.f("ix_webui_shares_member_id"), "webui_shares", ["member_id"])
    op.create_index(op.f("ix_webui_shares_organization_id"), "webui_shares", ["organization_id"])

    op.create_table(
        "personal_api_keys",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("key_prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _fk("member_id", "members.id"),
        _fk("organization_id", "organizations.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_index(op.f("ix_personal_api_keys_member_id"), "personal_api_keys", ["member_id"])
    op.create_index(op.f("ix_personal_api_keys_organization_id"), "personal_api_keys", ["organization_id"])

    # chats: plain ADD COLUMNs (no table rebuild on SQLite, which would cascade to messages).
    op.add_column("chats", sa.Column("current_message_id", sa.String(length=128), nullable=True))
    op.add_column("chats", sa.Column("webui_keys", sa.JSON(none_as_null=True), nullable=True))
    op.add_column("chats", sa.Column("webui_meta", sa.JSON(none_as_null=True), nullable=True))
    op.add_column("chats", sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("chats", sa.Column("pinned", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("chats", sa.Column("folder_id", sa.String(length=64), nullable=True))
    op.add_column("chats", sa.Column("share_id", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_chats_folder_id"), "chats", ["folder_id"])
    op.create_index("ix_chats_member_webui_lists", "chats", ["member_id", "archived", "pinned", "last_activity_at"])
    op.create_index("uq_chats_share_id", "chats", ["share_id"], unique=True)

    op.add_column("messages", sa.Column("node_id", sa.String(length=128), nullable=True))
    op.add_column("messages", sa.Column("parent_id", sa.String(length=128), nullable=True))
    op.add_column("messages", sa.Column("webui_keys", sa.JSON(none_as_null=True), nullable=True))
    # Existing chats are linear: each message's parent is the one before it.
    op.execute("UPDATE messages SET node_id = id")
    op.execute(
        "UPDATE messages SET parent_id = (SELECT p.id FROM messages p WHERE p.chat_id = messages.chat_id "
        "AND p.seq < messages.seq ORDER BY p.seq DESC LIMIT 1)"
    )
    op.execute(
        "UPDATE chats SET current_message_id = "
        "(SELECT m.id FROM messages m WHERE m.chat_id = chats.id ORDER BY m.seq DESC LIMIT 1)"
    )
    op.create_index("ix_messages_chat_node", "messages", ["chat_id", "node_id"], unique=True)
    op.create_index("ix_messages_chat_parent", "messages", ["chat_id", "parent_id"])

    for statement in SQLITE_SEARCH if sqlite else POSTGRESQL_SEARCH:
        op.execute(statement)


# The search index covers a message's first 100,000 characters (PostgreSQL caps a tsvector at 1 MB).
SQLITE_SEARCH = [
    "CREATE TABLE message_search (id INTEGER PRIMARY KEY, "
    "message_id VARCHAR(64) NOT NULL UNIQUE, chat_id VARCHAR(64) NOT NULL)",
    "CREATE VIRTUAL TABLE message_search_fts USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO message_search(message_id, chat_id) VALUES (new.id, new.chat_id); "
    "INSERT INTO message_search_fts(rowid, body) VALUES "
    "((SELECT id FROM message_search WHERE message_id = new.id), substr(new.content, 1, 100000)); END",
    "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO message_search_fts(message_search_fts, rowid, body) VALUES "
    "('delete', (SELECT id FROM message_search WHERE message_id = old.id), substr(old.content, 1, 100000)); "
    "DELETE FROM message_search WHERE message_id = old.id; END",
    "CREATE TRIGGER messages_search_update AFTER UPDATE OF content ON messages BEGIN "
    "INSERT INTO message_search_fts(message_search_fts, rowid, body) VALUES "
    "('delete', (SELECT id FROM message_search WHERE message_id = old.id), substr(old.content, 1, 100000)); "
    "INSERT INTO message_search_fts(rowid, body) VALUES "
    "((SELECT id FROM message_search WHERE message_id = new.id), substr(new.content, 1, 100000)); END",
    "INSERT INTO message_search(message_id, chat_id) SELECT id, chat_id FROM messages",
    "INSERT INTO message_search_fts(rowid, body) SELECT s.id, substr(m.content, 1, 100000) "
    "FROM message_search s JOIN messages m ON m.id = s.message_id",
]
POSTGRESQL_SEARCH = [
    "CREATE TABLE message_search (message_id VARCHAR(64) PRIMARY KEY "
    "REFERENCES messages (id) ON DELETE CASCADE, chat_id VARCHAR(64) NOT NULL, tsv tsvector NOT NULL)",
    "CREATE INDEX ix_message_search_tsv ON message_search USING gin (tsv)",
    "CREATE FUNCTION message_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO message_search (message_id, chat_id, tsv) "
    "VALUES (NEW.id, NEW.chat_id, to_tsvector('simple', left(NEW.content, 100000))) "
    "ON CONFLICT (message_id) DO UPDATE SET tsv = EXCLUDED.tsv; RETURN NULL; END $$",
    "CREATE TRIGGER messages_search_sync AFTER INSERT OR UPDATE OF content ON messages "
    "FOR EACH ROW EXECUTE FUNCTION message_search_sync()",
    "INSERT INTO message_search (message_id, chat_id, tsv) "
    "SELECT id, chat_id, to_tsvector('simple', left(content, 100000)) FROM messages",
]


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS messages_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS message_search_fts")
    else:
        op.execute("DROP TRIGGER IF EXISTS messages_search_sync ON messages")
        op.execute("DROP FUNCTION IF EXISTS message_search_sync()")
    op.execute("DROP TABLE IF EXISTS message_search")
    op.drop_index("ix_messages_chat_parent", table_name="messages")
    op.drop_index("ix_messages_chat_node", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        for column in ("webui_keys", "parent_id", "node_id"):
            batch.drop_column(column)
    op.drop_index("uq_chats_share_id", table_name="chats")
    op.drop_index("ix_chats_member_webui_lists", table_name="chats")
    op.drop_index(op.f("ix_chats_folder_id"), table_name="chats")
    with op.batch_alter_table("chats") as batch:
        for column in ("share_id", "folder_id", "pinned", "archived", "webui_meta", "webui_keys", "current_message_id"):
            batch.drop_column(column)
    for table in ("personal_api_keys", "webui_shares", "webui_chat_tags", "webui_folders"):
        op.drop_table(table)
