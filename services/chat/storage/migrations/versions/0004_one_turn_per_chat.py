"""one turn per chat: the running turn's id and start

Revision ID: 0004
Revises: 0003

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("chats", sa.Column("active_turn_id", sa.String(length=64), nullable=True))
    op.add_column("chats", sa.Column("active_turn_started_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("active_turn_started_at")
        batch.drop_column("active_turn_id")
