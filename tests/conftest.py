"""Shared fixtures: real databases, a real stack of processes, organizations and tokens."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import httpx
import pytest

from devstack.stack import Stack, StackConfig
from tests.helpers import bearer, chat_stores

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def missing(message: str) -> NoReturn:
    """Skip the test for want of something outside the repository; with CI=true, fail it instead."""
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it")
    pytest.skip(message)


def _unavailable(what: str, exc: Exception) -> NoReturn:
    missing(f"{what} is not reachable ({exc.__class__.__name__}: {exc})")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    import psycopg

    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=3, autocommit=True).close()
    except psycopg.Error as exc:
        _unavailable(f"PostgreSQL at {PG_ADMIN_URL}", exc)
    return PG_ADMIN_URL


def _fresh_pg_database(admin_url: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"trellis_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each supported kind (PostgreSQL: a fresh database, dropped after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    admin = request.getfixturevalue("postgres_server")
    name, url = _fresh_pg_database(admin)
    try:
        yield url
    finally:
        _drop_pg_database(admin, name)


def _stack_database(request: pytest.FixtureRequest) -> tuple[str | None, str | None]:
    """The services' database for a stack: SQLite, or PostgreSQL with TEST_DATABASE=postgresql."""
    if os.environ.get("TEST_DATABASE", "sqlite") != "postgresql":
        return None, None
    admin = request.getfixturevalue("postgres_server")
    name, url = _fresh_pg_database(admin)
    return name, url


def start_stack(request: pytest.FixtureRequest, data_dir: Path, **kwargs: object) -> Iterator[Stack]:
    pg_name, url = _stack_database(request)
    stack = Stack(StackConfig(data_dir=data_dir, database_url=url, quiet=True, **kwargs))  # type: ignore[arg-type]
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        if pg_name:
            _drop_pg_database(request.getfixturevalue("postgres_server"), pg_name)


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole system (SeaweedFS, Chat, Upload, gateway) as real processes on free ports."""
    yield from start_stack(request, tmp_path_factory.mktemp("stack"))


@dataclass
class Org:
    id: str
    api_key: str
    base_url: str

    def token(self, email: str = "user@example.com") -> str:
        resp = httpx.post(
            f"{self.base_url}/v1/authenticate", headers={"X-API-Key": self.api_key}, json={"email": email}
        )
        assert resp.status_code == 200, resp.text
        return resp.json()["token"]

    def client(self, email: str = "user@example.com") -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers=bearer(self.token(email)), timeout=30)


def make_org(stack: Stack, name: str = "Test Org") -> Org:
    """A brand-new organization with its own API key, created with the admin tooling."""
    with chat_stores(stack) as stores:
        org = stores.organizations.create_organization(f"{name} {uuid.uuid4().hex[:6]}")
        _, key = stores.organizations.create_api_key(org.id, "test")
    return Org(org.id, key, stack.gateway_url)


@pytest.fixture
def org(stack: Stack) -> Org:
    return make_org(stack)


@pytest.fixture
def other_org(stack: Stack) -> Org:
    return make_org(stack, "Other Org")
