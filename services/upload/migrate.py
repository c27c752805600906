"""Upload service schema migrations alone: `python -m services.upload.migrate [--check]` (see migrate_cli)."""

from __future__ import annotations

import sys
from pathlib import Path

from services.common.migrate_cli import main

MIGRATIONS = Path(__file__).parent / "storage" / "migrations"
VERSION_TABLE = "alembic_version_upload"

if __name__ == "__main__":
    sys.exit(main("upload", MIGRATIONS, VERSION_TABLE, "upload.db"))
