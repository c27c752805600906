"""`python -m services.<name>.migrate`: one service's schema migrations, and nothing else.

Run once per release before the services roll (the Kubernetes Jobs in deploy/k8s do), while the
services start with MIGRATE_ON_START=false and only wait for the schema: replicas never race each
other to migrate. Reads only the database URL (<SERVICE>_DATABASE_URL, else DATABASE_URL, else the
SQLite file in DATA_DIR as the service would use), so the job needs no other secret.

    python -m services.chat.migrate            # upgrade to the newest revision
    python -m services.chat.migrate --check    # exit 0 if up to date, 1 if not; changes nothing
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from services.common.database import migrate, schema_is_current
from services.common.secret_files import in_production


def database_url(service: str, sqlite_name: str) -> str:
    """The URL the service itself would use (its settings read the same variables)."""
    variable = f"{service.upper()}_DATABASE_URL"
    url = os.environ.get(variable) or os.environ.get("DATABASE_URL") or ""
    if url:
        return url
    if in_production():
        raise SystemExit(f"ENVIRONMENT=production: set {variable} or DATABASE_URL")
    data_dir = Path(os.environ.get("DATA_DIR") or "data")
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(data_dir / sqlite_name).resolve()}"


def main(
    service: str, migrations_dir: Path, version_table: str, sqlite_name: str, argv: list[str] | None = None
) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python -m services.{service}.migrate", description=f"The {service} service's schema migrations."
    )
    parser.add_argument("--check", action="store_true", help="only tell whether the schema is up to date")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
    url = database_url(service, sqlite_name)
    if args.check:
        current = schema_is_current(url, migrations_dir, version_table)
        print(f"{service} schema: {'up to date' if current else 'needs migrating'}", flush=True)
        return 0 if current else 1
    migrate(url, migrations_dir, version_table)
    print(f"{service} schema: up to date", flush=True)
    return 0
