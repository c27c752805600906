"""a project being deleted is marked first

Revision ID: 0007
Revises: 0006

`projects.deleting_since` is set before a project's documents are deleted, so that a document
whose upload was in flight cannot outlive the project (project_store.py, "Deleting").
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("deleting_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("deleting_since")
