from alembic import context

from services.common.database import run_migrations_online
from services.upload.storage.models import TABLES
from sqlmodel import SQLModel

run_migrations_online(context, SQLModel.metadata, TABLES)
