"""Checks on integration URLs: an integration is a door into the server's disk and network."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from services.common.errors import ApiError

if TYPE_CHECKING:
    from services.chat.settings import ChatSettings

FILE_DIALECTS = {"sqlite", "duckdb"}
NETWORK_DIALECTS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise ApiError("INVALID_REQUEST", "url: not a SQLAlchemy database URL") from None


def _same_server(a: URL, b: URL, dialect: str) -> bool:
    port = _DEFAULT_PORTS.get(dialect)
    local = {"localhost", "127.0.0.1", "::1", ""}
    host_a, host_b = (a.host or "").lower(), (b.host or "").lower()
    same_host = host_a == host_b or (host_a in local and host_b in local)
    return same_host and (a.port or port) == (b.port or port) and (a.database or "") == (b.database or "")


def check_url(
    url: str,
    *,
    allowed_dirs: list[Path],
    forbidden_files: list[Path],
    forbidden_urls: list[str] = (),  # type: ignore[assignment]
    allowed_hosts: list[str] | None = None,
) -> str:
    """Return the dialect of an acceptable SQLAlchemy URL, or raise INVALID_REQUEST naming the rule."""
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend in FILE_DIALECTS:
        if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
            raise ApiError("INVALID_REQUEST", "url: a file-based database needs a plain file path")
        path = Path(parsed.database).resolve()
        if not any(path.is_relative_to(d.resolve()) for d in allowed_dirs):
            dirs = ", ".join(str(d) for d in allowed_dirs) or "(none configured)"
            raise ApiError("INVALID_REQUEST", f"url: {backend} files must live under INTEGRATION_ALLOWED_DIRS ({dirs})")
        if any(path == f.resolve() for f in forbidden_files):
            raise ApiError("INVALID_REQUEST", "url: the services' own database cannot be an integration")
        return backend
    dialect = NETWORK_DIALECTS.get(backend)
    if dialect is None:
        raise ApiError("INVALID_REQUEST", f"url: unsupported database '{backend}' (sqlite, postgresql, mysql, duckdb)")
    if not parsed.host:
        raise ApiError("INVALID_REQUEST", "url: a network database needs a host")
    for own in forbidden_urls:
        own_url = _parse(own)
        if NETWORK_DIALECTS.get(own_url.get_backend_name()) == dialect and _same_server(parsed, own_url, dialect):
            raise ApiError("INVALID_REQUEST", "url: the services' own database cannot be an integration")
    if allowed_hosts is not None and parsed.host.lower() not in allowed_hosts:
        raise ApiError("INVALID_REQUEST", f"url: host '{parsed.host}' is not in INTEGRATION_ALLOWED_HOSTS")
    return dialect


def check_integration_url(url: str, settings: ChatSettings) -> str:
    """check_url with the rules an operator configured (INTEGRATION_ALLOWED_DIRS / _HOSTS)."""
    return check_url(
        url,
        allowed_dirs=settings.allowed_integration_dirs(),
        forbidden_files=settings.own_database_files(),
        forbidden_urls=[settings.resolved_database_url()],
        allowed_hosts=settings.allowed_integration_hosts(),
    )
