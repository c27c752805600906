"""project documents: uploads and their chunks may belong to a project instead of a chat

Revision ID: 0003
Revises: 0002

A project's document is an `uploads` row with `project_id` set and `chat_id` empty; its chunks
carry the project too, so a project's full-text search is one indexed filter, like a chat's.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("uploads", sa.Column("project_id", sa.String(length=64), nullable=True))
    op.add_column("upload_chunks", sa.Column("project_id", sa.String(length=64), nullable=True))
    op.create_index("ix_uploads_project", "uploads", ["organization_id", "project_id", "created_at"])
    op.create_index("ix_upload_chunks_project", "upload_chunks", ["organization_id", "project_id"])


def downgrade() -> None:
    op.drop_index("ix_upload_chunks_project", table_name="upload_chunks")
    op.drop_index("ix_uploads_project", table_name="uploads")
    # Plain ALTER TABLE (SQLite 3.35+ too): a batch rebuild would drop upload_chunks' FTS triggers.
    op.execute("ALTER TABLE upload_chunks DROP COLUMN project_id")
    op.execute("ALTER TABLE uploads DROP COLUMN project_id")
