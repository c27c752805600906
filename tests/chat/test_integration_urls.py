"""Integration URLs: files only under allowed directories, never the services' own database."""

from __future__ import annotations

import ipaddress

import pytest

from services.chat.security.integration_urls import check_url
from services.common.errors import ApiError

OWN = "postgresql://trellis@db.internal:5432/trellis"


# Made-up host names resolve here, to documentation addresses, without DNS.
ADDRESSES = {
    "warehouse": "192.0.2.10",
    "mysql.local": "192.0.2.11",
    "maria": "192.0.2.12",
    "db.internal": "192.0.2.20",
}


def fake_resolve(host: str) -> set:
    return {ipaddress.ip_address(ADDRESSES[host])} if host in ADDRESSES else set()


def _check(url: str, tmp_path, hosts=None) -> str:
    return check_url(
        url,
        allowed_dirs=[tmp_path],
        forbidden_paths=[tmp_path / "chat.db"],
        forbidden_urls=[OWN],
        allowed_hosts=hosts,
        resolve=fake_resolve,
    )


@pytest.mark.parametrize(
    ("url", "dialect"),
    [
        ("postgresql://u:p@warehouse:5432/sales", "postgresql"),
        ("postgresql+psycopg://u@warehouse/sales", "postgresql"),
        ("mysql+pymysql://u:p@mysql.local/shop", "mysql"),
        ("mariadb://u@maria/shop", "mysql"),
        ("postgresql://trellis@db.internal:5432/other_db", "postgresql"),
    ],
)
def test_accepted(url, dialect, tmp_path) -> None:
    assert _check(url, tmp_path) == dialect


def test_files_under_allowed_dirs(tmp_path) -> None:
    assert _check(f"sqlite:///{tmp_path / 'a' / 'x.db'}", tmp_path) == "sqlite"
    assert _check(f"duckdb:///{tmp_path / 'x.duckdb'}", tmp_path) == "duckdb"
    for url in (
        f"sqlite:///{tmp_path / '..' / 'escape.db'}",
        "sqlite:////etc/passwd",
        f"sqlite:///{tmp_path}/chat.db",
        f"sqlite:///file:{tmp_path}/x.db?mode=rw&uri=true",
    ):
        with pytest.raises(ApiError) as info:
            _check(url, tmp_path)
        assert info.value.code == "INVALID_REQUEST"


@pytest.mark.parametrize(
    "url", [OWN, "postgresql://someone:pw@DB.internal/trellis", "postgresql+psycopg://x@db.internal:5432/trellis"]
)
def test_the_services_own_database_is_refused(url, tmp_path) -> None:
    with pytest.raises(ApiError) as info:
        _check(url, tmp_path)
    assert "own database" in info.value.detail


def test_host_allow_list(tmp_path) -> None:
    assert _check("postgresql://u@warehouse/sales", tmp_path, hosts=["warehouse"]) == "postgresql"
    with pytest.raises(ApiError) as info:
        _check("postgresql://u@169.254.169.254/x", tmp_path, hosts=["warehouse"])
    assert "INTEGRATION_ALLOWED_HOSTS" in info.value.detail
