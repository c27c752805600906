"""SQL engine and Alembic migrations shared by the services (each with its own tables)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

T = TypeVar("T")
log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # WAL lets readers proceed while a writer commits; FKs make cascades real.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def migrate(url: str, migrations_dir: Path, version_table: str) -> None:
    """Upgrade the database in place to the newest revision of one service's migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.attributes["url"] = normalise_url(url)
    cfg.attributes["version_table"] = version_table
    command.upgrade(cfg, "head")


def run_migrations_online(context: Any, target_metadata: Any, table_names: set[str]) -> None:
    """Body of each service's alembic env.py."""
    cfg = context.config
    engine = make_engine(cfg.attributes["url"])

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        # Several services may share one database: look only at this service's tables.
        return type_ != "table" or name in table_names

    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=cfg.attributes["version_table"],
            include_object=include,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    # SQLite returns naive datetimes; everything we store is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def run_sync(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Database calls are blocking; keep them off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)
