"""Checks on integration URLs: an integration is a door into the server's disk and network.

A URL is parsed and rebuilt from parts known to be safe (`safe_url`): a supported driver, a user,
a password, one host name or IP address, a port, a database name, and only the driver options of
SAFE_OPTIONS. Anything else is refused rather than dropped, in particular the driver parameters that
would change where the driver connects or which files it reads (`?host=`, `?hostaddr=`, `?dbname=`,
`?service=`, `?passfile=`, `?sslkey=`, `?unix_socket=`, `?read_default_file=`, `?options=`...).

`check_url` then applies the operator's rules: file databases (SQLite, DuckDB) only under the
allowed directories and never one of the services' own files or folders (symbolic links resolved,
hard links compared by inode); network databases only on allowed hosts, compared by address after
resolving the name, and never the services' own databases, whichever spelling of the host is used
(`0.0.0.0`, `LOCALHOST.`, `127.1`, `[::ffff:127.0.0.1]`, `::1`, this machine's own addresses...).
"""

from __future__ import annotations

import concurrent.futures
import functools
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from services.common.errors import ApiError

if TYPE_CHECKING:
    from services.chat.settings import ChatSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], set[IPAddress]]

FILE_DIALECTS = {"sqlite", "duckdb"}
NETWORK_DIALECTS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}
# The drivers that are installed and that the runner knows how to make read-only.
DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "duckdb": "duckdb",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+psycopg": "postgresql",
    "mysql": "mysql",
    "mysql+pymysql": "mysql",
    "mariadb": "mysql",
    "mariadb+pymysql": "mysql",
}
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
# Driver options an integration URL may carry, with the values each accepts.
SAFE_OPTIONS: dict[str, dict[str, re.Pattern[str]]] = {
    "postgresql": {
        "sslmode": re.compile(r"disable|allow|prefer|require|verify-ca|verify-full"),
        "connect_timeout": re.compile(r"\d{1,3}"),
        "application_name": re.compile(r"[\w .-]{1,63}"),
    },
    "mysql": {"charset": re.compile(r"[a-z0-9_]{1,32}")},
}
_HOST_NAME = re.compile(r"(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*", re.I)
# libpq reads a database name holding "=" or starting with a URI prefix as a whole connection string.
_DATABASE_NAME = re.compile(r"[\w$.\- ]{1,128}")
RESOLVE_TIMEOUT_SECONDS = 5.0
_resolver_pool = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="resolve")


def _invalid(message: str) -> ApiError:
    return ApiError("INVALID_REQUEST", f"url: {message}")


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise _invalid("not a SQLAlchemy database URL") from None


def dialect_of(url: str) -> str:
    """sqlite, duckdb, postgresql or mysql: what the URL points at (its driver checked)."""
    parsed = _parse(url)
    dialect = DRIVERS.get(parsed.drivername)
    if dialect is not None:
        return dialect
    backend = parsed.get_backend_name()
    if backend in FILE_DIALECTS or backend in NETWORK_DIALECTS:
        drivers = ", ".join(sorted(d for d, k in DRIVERS.items() if k == NETWORK_DIALECTS.get(backend, backend)))
        raise _invalid(f"the driver '{parsed.drivername}' is not supported (use {drivers})")
    raise _invalid(f"unsupported database '{backend}' (sqlite, postgresql, mysql, duckdb)")


def safe_url(url: str) -> URL:
    """The URL rebuilt from known-safe parts, or INVALID_REQUEST naming what is not allowed.

    No network or disk access: the runner calls it before every new connection pool, so a URL stored
    before these rules existed cannot reach further than a new one."""
    parsed = _parse(url)
    dialect = dialect_of(url)
    if dialect in FILE_DIALECTS:
        database = parsed.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            raise _invalid("a file-based database needs a plain file path")
        if parsed.host or parsed.port or parsed.username or parsed.password or parsed.query:
            raise _invalid(f"a {dialect} URL is a file path only (no host, user, password or options)")
        if "\x00" in database:
            raise _invalid("the file path holds a NUL character")
        return URL.create(parsed.drivername, database=database)
    host = _host(parsed)
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise _invalid(f"port {parsed.port} is not a TCP port")
    name = parsed.database or None
    if name is not None and not _DATABASE_NAME.fullmatch(name):
        raise _invalid(f"'{name}' is not a plain database name (letters, digits, _ $ . - and spaces)")
    if parsed.username is not None and any(ord(c) < 32 for c in parsed.username):
        raise _invalid("the user name holds control characters")
    options = SAFE_OPTIONS.get(dialect, {})
    query: dict[str, str] = {}
    for key, value in parsed.query.items():
        pattern = options.get(key)
        if pattern is None:
            allowed = ", ".join(sorted(options)) or "none"
            raise _invalid(f"the option '{key}' is not allowed (allowed options: {allowed})")
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise _invalid(f"the option '{key}' has a value that is not allowed")
        query[key] = value
    return URL.create(
        parsed.drivername,
        username=parsed.username,
        password=parsed.password,
        host=host,
        port=parsed.port,
        database=name,
        query=query,
    )


def _host(parsed: URL) -> str:
    host = (parsed.host or "").strip()
    if not host:
        raise _invalid("a network database needs a host")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    name = host.lower().removesuffix(".")
    if not _HOST_NAME.fullmatch(name):
        raise _invalid(f"'{host}' is not a host name or an IP address")
    return name


# --- addresses ----------------------------------------------------------------------------------


def _plain(ip: IPAddress) -> IPAddress:
    """IPv4 addresses written as IPv6 (::ffff:127.0.0.1, ::127.0.0.1) as the IPv4 they reach."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.packed[:12] == bytes(12) and int(ip) > 1:
            return ipaddress.IPv4Address(ip.packed[12:])
    return ip


def resolve_host(host: str) -> set[IPAddress]:
    """Every address `host` resolves to (an IP address stands for itself); empty when it does not resolve."""

    def lookup() -> set[IPAddress]:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        return {_plain(ipaddress.ip_address(str(info[4][0]).split("%")[0])) for info in infos}

    try:
        return _resolver_pool.submit(lookup).result(timeout=RESOLVE_TIMEOUT_SECONDS)
    except (OSError, ValueError, UnicodeError, concurrent.futures.TimeoutError):
        return set()


@functools.cache
def _own_addresses() -> frozenset[IPAddress]:
    """This machine's own addresses: a server listening on all interfaces answers on each of them."""
    return frozenset(resolve_host(socket.gethostname()))


def _is_local(ip: IPAddress) -> bool:
    return ip.is_loopback or ip.is_unspecified or ip in _own_addresses()


def _addresses(host: str, resolve: Resolver) -> set[IPAddress]:
    try:
        return {_plain(ipaddress.ip_address(host))}
    except ValueError:
        return resolve(host)


# --- the rules ----------------------------------------------------------------------------------


def _forbidden_path(path: Path, forbidden: Iterable[Path]) -> bool:
    """`path` is one of the services' files or inside one of their folders (hard links included)."""
    try:
        stat = path.stat()
        identity: tuple[int, int] | None = (stat.st_dev, stat.st_ino)
    except OSError:
        identity = None
    for item in forbidden:
        item = item.resolve()
        # SQLite keeps a database's journal and WAL next to it: chat.db-wal, chat.db-journal...
        sibling = path.parent == item.parent and path.name.startswith(f"{item.name}-")
        if path == item or path.is_relative_to(item) or sibling:
            return True
        try:
            other = item.stat()
        except OSError:
            continue
        if identity == (other.st_dev, other.st_ino):
            return True
    return False


def _same_database(url: URL, addresses: set[IPAddress], own: URL, dialect: str, resolve: Resolver) -> bool:
    port = _DEFAULT_PORTS[dialect]
    if (url.port or port) != (own.port or port):
        return False
    if dialect == "postgresql":  # libpq's default database is the user's name
        if (url.database or url.username or "") != (own.database or own.username or ""):
            return False
    elif (url.database or "") != (own.database or ""):
        return False
    own_host = (own.host or "").strip("[]")
    socket_path = str(own.query.get("host") or own.query.get("unix_socket") or "")
    own_addresses = _addresses(own_host, resolve) if own_host else set()
    if addresses & own_addresses or (own_host and own_host.lower().removesuffix(".") == url.host):
        return True
    own_is_local = not own_host or socket_path.startswith("/") or any(_is_local(a) for a in own_addresses)
    return own_is_local and any(_is_local(a) for a in addresses)


def check_url(
    url: str,
    *,
    allowed_dirs: list[Path],
    forbidden_paths: list[Path],
    forbidden_urls: Iterable[str] = (),
    allowed_hosts: list[str] | None = None,
    resolve: Resolver = resolve_host,
) -> str:
    """Return the dialect of an acceptable SQLAlchemy URL, or raise INVALID_REQUEST naming the rule."""
    parsed = safe_url(url)
    dialect = DRIVERS[parsed.drivername]
    if dialect in FILE_DIALECTS:
        path = Path(parsed.database or "").resolve()  # symbolic links followed to the real file
        if not any(path.is_relative_to(d.resolve()) for d in allowed_dirs):
            dirs = ", ".join(str(d) for d in allowed_dirs) or "(none configured)"
            raise _invalid(f"{dialect} files must live under INTEGRATION_ALLOWED_DIRS ({dirs})")
        if _forbidden_path(path, forbidden_paths):
            raise _invalid("the services' own databases and data folders cannot be an integration")
        return dialect
    host = parsed.host or ""
    addresses = _addresses(host, resolve)
    if not addresses:
        raise _invalid(f"the host '{host}' could not be resolved")
    for own in forbidden_urls:
        try:
            own_url = make_url(own)
        except (ArgumentError, ValueError):
            continue
        if NETWORK_DIALECTS.get(own_url.get_backend_name()) == dialect and _same_database(
            parsed, addresses, own_url, dialect, resolve
        ):
            raise _invalid("the services' own database cannot be an integration")
    if allowed_hosts is not None:
        names = {h.lower().removesuffix(".").strip("[]") for h in allowed_hosts}
        allowed: set[IPAddress] = set()
        for name in names:
            allowed |= _addresses(name, resolve)
        if host not in names and not addresses <= allowed:
            raise _invalid(f"host '{host}' is not in INTEGRATION_ALLOWED_HOSTS")
    return dialect


def check_integration_url(url: str, settings: ChatSettings) -> str:
    """check_url with the rules an operator configured (INTEGRATION_ALLOWED_DIRS / _HOSTS)."""
    return check_url(
        url,
        allowed_dirs=settings.allowed_integration_dirs(),
        forbidden_paths=settings.forbidden_integration_paths(),
        forbidden_urls=settings.service_database_urls(),
        allowed_hosts=settings.allowed_integration_hosts(),
    )
