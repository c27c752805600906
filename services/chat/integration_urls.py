"""Checks on integration URLs: an integration is a door into the server's disk and network."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from services.common.errors import ApiError

FILE_DIALECTS = {"sqlite", "duckdb"}
NETWORK_DIALECTS = {"postgresql", "mysql", "mariadb"}


def check_url(url: str, *, allowed_dirs: list[Path], forbidden_files: list[Path]) -> str:
    """Return the dialect of an acceptable SQLAlchemy URL, or raise INVALID_REQUEST naming the rule."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ApiError("INVALID_REQUEST", "url: not a SQLAlchemy database URL") from None
    dialect = parsed.get_backend_name()
    if dialect in FILE_DIALECTS:
        if not parsed.database or parsed.database == ":memory:":
            raise ApiError("INVALID_REQUEST", "url: a file-based database needs a file path")
        path = Path(parsed.database).resolve()
        if not any(path.is_relative_to(d.resolve()) for d in allowed_dirs):
            dirs = ", ".join(str(d) for d in allowed_dirs) or "(none configured)"
            raise ApiError(
                "INVALID_REQUEST",
                f"url: {dialect} files must live under INTEGRATION_ALLOWED_DIRS ({dirs})",
            )
        if any(path == f.resolve() for f in forbidden_files):
            raise ApiError("INVALID_REQUEST", "url: the services' own database cannot be an integration")
        return dialect
    if dialect in NETWORK_DIALECTS:
        return dialect
    raise ApiError("INVALID_REQUEST", f"url: unsupported database '{dialect}' (sqlite, postgresql, mysql, duckdb)")
