"""upload chunks and their full-text index

Revision ID: 0002
Revises: 0001

SQLite: an external-content FTS5 table over upload_chunks.text (porter stemming, unicode61
tokens), kept in sync by triggers. PostgreSQL: a generated tsvector column (english config)
with a GIN index. services/upload/storage/search_index.py queries each.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "upload_chunks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("upload_id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("chunk_index", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_upload_chunks_upload", "upload_chunks", ["upload_id", "chunk_index"])
    op.create_index("ix_upload_chunks_owner_chat", "upload_chunks", ["organization_id", "member_id", "chat_id"])
    # Listing a member's uploads of a chat (and finding theirs among the ids a message links).
    op.create_index("ix_uploads_owner_chat", "uploads", ["organization_id", "member_id", "chat_id"])

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE upload_chunks_fts USING fts5("
            "text, content='upload_chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER upload_chunks_fts_insert AFTER INSERT ON upload_chunks BEGIN "
            "INSERT INTO upload_chunks_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER upload_chunks_fts_delete AFTER DELETE ON upload_chunks BEGIN "
            "INSERT INTO upload_chunks_fts(upload_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER upload_chunks_fts_update AFTER UPDATE ON upload_chunks BEGIN "
            "INSERT INTO upload_chunks_fts(upload_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text); "
            "INSERT INTO upload_chunks_fts(rowid, text) VALUES (new.id, new.text); END"
        )
    else:
        op.execute(
            "ALTER TABLE upload_chunks ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED"
        )
        op.execute("CREATE INDEX ix_upload_chunks_tsv ON upload_chunks USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS upload_chunks_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS upload_chunks_fts")
    op.drop_index("ix_uploads_owner_chat", table_name="uploads")
    op.drop_index("ix_upload_chunks_owner_chat", table_name="upload_chunks")
    op.drop_index("ix_upload_chunks_upload", table_name="upload_chunks")
    op.drop_table("upload_chunks")
