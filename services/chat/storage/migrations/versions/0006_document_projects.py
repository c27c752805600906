"""document projects, and chats on a project

Revision ID: 0006
Revises: 0005

A project is organization-wide; its documents live in the Upload service's database. A chat on a
project has `project_id` set and `source_type` "project" (no foreign key: SQLite adds one to an
existing table only by rebuilding it; the project store detaches a deleted project's chats).
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_projects_org_updated", "projects", ["organization_id", "updated_at"])
    op.add_column("chats", sa.Column("project_id", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_chats_project_id"), "chats", ["project_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_chats_project_id"), table_name="chats")
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("project_id")
    op.drop_index("ix_projects_org_updated", table_name="projects")
    op.drop_table("projects")
