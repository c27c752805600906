"""SQL engine and Alembic migrations shared by the services (each with its own tables)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import create_engine

from services.common.observability.metrics import DATABASE_ERRORS

T = TypeVar("T")
log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _count_errors(engine: Engine) -> Engine:
    """Every error the driver raises on this engine counts in trellis_database_errors_total."""

    @event.listens_for(engine, "handle_error")
    def _count(context: Any) -> None:
        DATABASE_ERRORS.labels(type(context.original_exception).__name__).inc()

    return engine


def make_engine(url: str) -> Engine:
    return _count_errors(_make_engine(url))


def _make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # WAL lets readers proceed while a writer commits; FKs make cascades real.
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit no longer waits for an fsync (the WAL is synced at checkpoints), so
            # turns' writes stop queueing behind each other's; a process crash loses nothing, only a
            # power loss may drop the last commits. (bench/README.md: 18% of the Chat service's time
            # under 300 streams was fsync in commits.)
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    # Pre-ping replaces connections a database restart broke; a short connect timeout makes a
    # database that is down fail fast (DATABASE_UNAVAILABLE) instead of holding requests.
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args)


def _alembic_config(url: str, migrations_dir: Path, version_table: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.attributes["url"] = normalise_url(url)
    cfg.attributes["version_table"] = version_table
    return cfg


def migrate(url: str, migrations_dir: Path, version_table: str) -> None:
    """Upgrade the database in place to the newest revision of one service's migrations."""
    command.upgrade(_alembic_config(url, migrations_dir, version_table), "head")


def schema_is_current(url: str, migrations_dir: Path, version_table: str) -> bool:
    """Whether the database is at the newest revision of these migrations (nothing is changed)."""
    heads = set(ScriptDirectory.from_config(_alembic_config(url, migrations_dir, version_table)).get_heads())
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": version_table})
            return set(context.get_current_heads()) == heads
    finally:
        engine.dispose()


def wait_for_schema(url: str, migrations_dir: Path, version_table: str, timeout: float, poll: float = 2.0) -> None:
    """Block until a migration job has brought the schema to the newest revision (MIGRATE_ON_START=false)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if schema_is_current(url, migrations_dir, version_table):
                return
            reason = "not at the newest revision yet"
        except SQLAlchemyError as exc:  # the database may not be up yet either
            reason = f"unreachable ({exc.__class__.__name__})"
        if time.monotonic() >= deadline:
            raise RuntimeError(
                f"schema ({version_table}) {reason} after {timeout:.0f}s: run the migration job, "
                "or start with MIGRATE_ON_START=true"
            )
        log.info("waiting for the schema (%s): %s", version_table, reason)
        time.sleep(poll)


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
