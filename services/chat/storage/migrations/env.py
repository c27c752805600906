from alembic import context

from services.chat.storage.models import TABLES
from services.common.database import run_migrations_online
from sqlmodel import SQLModel

run_migrations_online(context, SQLModel.metadata, TABLES)
