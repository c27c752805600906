"""Chat service schema migrations alone: `python -m services.chat.migrate [--check]` (see migrate_cli)."""

from __future__ import annotations

import sys

from services.chat.storage.stores import MIGRATIONS, VERSION_TABLE
from services.common.migrate_cli import main

if __name__ == "__main__":
    sys.exit(main("chat", MIGRATIONS, VERSION_TABLE, "chat.db"))
