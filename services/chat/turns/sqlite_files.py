"""SQLite files a turn's tables are copied into (attachment_tables.py, joined_tables.py)."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def built_atomically(path: Path) -> Iterator[sqlite3.Connection]:
    """A SQLite file written under a temporary name of this build's own, then moved to `path` whole: a
    concurrent build (another replica) never touches it, and a reader never sees half a file."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        conn = sqlite3.connect(tmp)
        try:
            yield conn
        finally:
            conn.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
