"""Attacks on the integration URL rules: driver options that move the connection, other spellings of
loopback, the Upload service's database, the data folders, links. Each one of issue #11's probes."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

from services.chat.security.integration_urls import check_integration_url, check_url, resolve_host, safe_url
from services.chat.settings import ChatSettings
from services.chat.sql import runner as sql_runner
from services.chat.sql.runner import run_query
from services.common.errors import ApiError

OWN_PG = "postgresql://trellis@localhost:5432/trellis"
OWN_MYSQL = "mysql+pymysql://trellis@127.0.0.1:3306/trellis"
NAMES = {"allowed.example.com": "192.0.2.50", "alias.example.com": "192.0.2.50", "evil.example.com": "198.51.100.9"}


def resolve(host: str) -> set:
    """Made-up names without DNS; everything else (loopback spellings, this machine) for real."""
    if host in NAMES:
        return {ipaddress.ip_address(NAMES[host])}
    return resolve_host(host)


def _refused(url: str, words: str, *, hosts: list[str] | None = None, tmp_path: Path | None = None) -> None:
    with pytest.raises(ApiError) as info:
        check_url(
            url,
            allowed_dirs=[tmp_path or Path("/nonexistent")],
            forbidden_paths=[],
            forbidden_urls=[OWN_PG, OWN_MYSQL],
            allowed_hosts=hosts,
            resolve=resolve,
        )
    assert info.value.code == "INVALID_REQUEST"
    assert words in info.value.detail, info.value.detail


def _accepted(url: str, *, hosts: list[str] | None = None) -> str:
    return check_url(
        url,
        allowed_dirs=[],
        forbidden_paths=[],
        forbidden_urls=[OWN_PG, OWN_MYSQL],
        allowed_hosts=hosts,
        resolve=resolve,
    )


@pytest.mark.parametrize(
    "query",
    [
        "host=127.0.0.1",
        "hostaddr=127.0.0.1",
        "dbname=trellis",
        "port=5432",
        "user=trellis",
        "password=x",
        "service=trellis",
        "servicefile=/etc/pg_service.conf",
        "passfile=/root/.pgpass",
        "sslkey=/etc/ssl/private/server.key",
        "sslcert=/etc/ssl/certs/x.pem",
        "sslrootcert=/etc/passwd",
        "options=-c default_transaction_read_only=off",
        "target_session_attrs=any",
        "sslmode=require&host=127.0.0.1",
    ],
)
def test_postgresql_options_that_move_the_connection_are_refused(query: str) -> None:
    _refused(
        f"postgresql://u:p@allowed.example.com:5432/sales?{query}", "is not allowed", hosts=["allowed.example.com"]
    )


@pytest.mark.parametrize(
    "query",
    [
        "host=127.0.0.1",
        "unix_socket=/run/mysqld/mysqld.sock",
        "read_default_file=/etc/mysql/my.cnf",
        "read_default_group=client",
        "port=3306",
        "database=trellis",
        "db=trellis",
        "init_command=SET GLOBAL read_only=0",
        "local_infile=1",
        "ssl_key=/etc/ssl/private/server.key",
    ],
)
def test_mysql_options_that_move_the_connection_are_refused(query: str) -> None:
    _refused(f"mysql+pymysql://u:p@allowed.example.com/shop?{query}", "is not allowed", hosts=["allowed.example.com"])


def test_safe_options_are_kept_and_the_url_is_rebuilt() -> None:
    url = safe_url("postgresql://u:p%40ss@Allowed.Example.COM.:6432/sales?sslmode=verify-full&connect_timeout=5")
    assert url.host == "allowed.example.com" and url.port == 6432 and url.password == "p@ss"
    assert dict(url.query) == {"sslmode": "verify-full", "connect_timeout": "5"}
    assert safe_url("mysql+pymysql://u@[::1]/shop?charset=utf8mb4").host == "::1"
    for bad, words in [
        ("postgresql://u@allowed.example.com/sales?sslmode=bogus", "value"),
        ("postgresql://u@allowed.example.com/host=127.0.0.1 dbname=trellis", "plain database name"),
        ("postgresql://u@/sales", "needs a host"),
        ("postgresql://u@/var/run/postgresql/sales", "needs a host"),
        ("postgresql+asyncpg://u@allowed.example.com/sales", "driver"),
        ("mysql+mysqldb://u@allowed.example.com/shop", "driver"),
        ("sqlite:////tmp/x.db?mode=rwc", "file path only"),
        ("duckdb:///tmp/x.duckdb?access_mode=read_write", "file path only"),
    ]:
        with pytest.raises(ApiError) as info:
            safe_url(bad)
        assert words in info.value.detail, (bad, info.value.detail)


LOOPBACK_SPELLINGS = [
    "localhost",
    "LOCALHOST.",
    "LocalHost",
    "127.0.0.1",
    "127.1",
    "127.0.0.2",
    "2130706433",
    "0x7f000001",
    "0.0.0.0",
    "0",
    "[::1]",
    "[::]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
]


@pytest.mark.parametrize("host", [*LOOPBACK_SPELLINGS, socket.gethostname()])
def test_every_spelling_of_loopback_is_our_own_database(host: str) -> None:
    _refused(f"postgresql://attacker@{host}:5432/trellis", "own database")
    _refused(f"postgresql://attacker@{host}/trellis", "own database")  # the default port is the same port
    _refused(f"mysql+pymysql://attacker@{host}:3306/trellis", "own database")
    # Another database on the same server, or the same name on another port, is somebody's data.
    assert _accepted(f"postgresql://attacker@{host}:5432/warehouse") == "postgresql"
    assert _accepted(f"postgresql://attacker@{host}:5433/trellis") == "postgresql"


def test_allowed_hosts_are_compared_by_address() -> None:
    hosts = ["allowed.example.com"]
    assert _accepted("postgresql://u@allowed.example.com/sales", hosts=hosts) == "postgresql"
    assert _accepted("postgresql://u@ALLOWED.example.com./sales", hosts=hosts) == "postgresql"
    assert _accepted("postgresql://u@alias.example.com/sales", hosts=hosts) == "postgresql"  # same address
    assert _accepted("postgresql://u@192.0.2.50/sales", hosts=hosts) == "postgresql"
    _refused("postgresql://u@evil.example.com/sales", "INTEGRATION_ALLOWED_HOSTS", hosts=hosts)
    _refused("postgresql://u@198.51.100.9/sales", "INTEGRATION_ALLOWED_HOSTS", hosts=hosts)
    _refused("postgresql://u@unknown.invalid/sales", "could not be resolved", hosts=hosts)
    # An allow-listed loopback is still never the services' own database.
    _refused("postgresql://u@127.1/trellis", "own database", hosts=["localhost"])
    assert _accepted("postgresql://u@127.1/warehouse", hosts=["localhost"]) == "postgresql"


def _settings(tmp_path: Path, **values: object) -> ChatSettings:
    return ChatSettings(data_dir=tmp_path / "data", integration_allowed_dirs=str(tmp_path), **values)


def test_the_upload_services_database_is_forbidden_too(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        database_url="postgresql://chat@db.internal:5432/chat",
        upload_database_url="postgresql://upload@127.0.0.1:5432/uploads",
    )
    with pytest.raises(ApiError) as info:
        check_integration_url("postgresql://x@[::ffff:127.0.0.1]/uploads", settings)
    assert "own database" in info.value.detail
    assert check_integration_url("postgresql://x@127.0.0.1/customers", settings) == "postgresql"


def test_environment_names_the_upload_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_DATABASE_URL", "postgresql://chat@127.0.0.1/chat")
    monkeypatch.setenv("UPLOAD_DATABASE_URL", "postgresql://upload@127.0.0.1/uploads")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    urls = ChatSettings().service_database_urls()
    assert urls == ["postgresql://chat@127.0.0.1/chat", "postgresql://upload@127.0.0.1/uploads"]
    monkeypatch.delenv("CHAT_DATABASE_URL")
    monkeypatch.delenv("UPLOAD_DATABASE_URL")
    monkeypatch.setenv("DATABASE_URL", "postgresql://both@127.0.0.1/shared")
    assert ChatSettings().service_database_urls() == ["postgresql://both@127.0.0.1/shared"] * 2


def test_data_folders_files_and_links_are_forbidden(tmp_path: Path) -> None:
    data = tmp_path / "data"
    elsewhere = tmp_path / "elsewhere"
    for folder in ("secrets", "attachments", "tmp/uploads", "demo", "logs"):
        (data / folder).mkdir(parents=True)
    elsewhere.mkdir()
    (data / "chat.db").write_bytes(b"SQLite format 3\x00")
    (elsewhere / "upload.db").write_bytes(b"SQLite format 3\x00")
    (elsewhere / "links").mkdir()
    (elsewhere / "links" / "innocent.db").symlink_to(data / "chat.db")
    os.link(elsewhere / "upload.db", elsewhere / "links" / "hard.db")
    settings = _settings(tmp_path, upload_database_url=f"sqlite:///{elsewhere / 'upload.db'}")
    forbidden = [
        data / "chat.db",
        data / "chat.db-wal",
        data / "upload.db",
        data / "secrets" / "jwt_secret",
        data / "attachments" / "0123.db",
        data / "tmp" / "uploads" / "x.part",
        data / "logs" / "chat.log",
        elsewhere / "upload.db",
        elsewhere / "links" / "innocent.db",  # a symbolic link to chat.db
        elsewhere / "links" / "hard.db",  # a hard link to upload.db
        data / "demo" / ".." / "chat.db",
    ]
    for path in forbidden:
        for scheme in ("sqlite", "duckdb"):
            with pytest.raises(ApiError) as info:
                check_integration_url(f"{scheme}:///{path}", settings)
            assert "own databases and data folders" in info.value.detail, path
    assert check_integration_url(f"sqlite:///{data / 'demo' / 'retail.db'}", settings) == "sqlite"
    assert check_integration_url(f"duckdb:///{elsewhere / 'warehouse.duckdb'}", settings) == "duckdb"


async def test_a_stored_url_with_a_host_option_never_connects(postgres_server: str) -> None:
    """An integration saved before these rules: the runner rebuilds the URL too, so `?host=` (which
    the driver would follow to the local server) is refused before any connection."""
    url = "postgresql://postgres@192.0.2.1:5432/test?host=127.0.0.1&connect_timeout=1"
    try:
        with pytest.raises(ApiError) as info:
            await run_query(url, "SELECT 1")
        assert info.value.code == "DATABASE_UNAVAILABLE"
        assert "option 'host' is not allowed" in info.value.detail
        with pytest.raises(ApiError) as info:
            await run_query("mysql+pymysql://root@192.0.2.1/test?unix_socket=/run/mysqld/mysqld.sock", "SELECT 1")
        assert "option 'unix_socket' is not allowed" in info.value.detail
    finally:
        sql_runner.dispose_engines()
