"""The benchmark's three generated databases, made once per test session for the engine's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack.demo_db import create_demo_database
from services.chat.engines.base import Database
from tests.chat.benchmark_dbs import create_hospital_database, create_saas_database
from tests.chat.engine_helpers import TODAY


@pytest.fixture(scope="session")
def retail_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("embedded") / "retail.db"
    create_demo_database(path, today=TODAY)
    return path


@pytest.fixture(scope="session")
def retail(retail_path: Path) -> Database:
    return Database(url=f"sqlite:///{retail_path}", dialect="sqlite", display_name="Demo retail database")


@pytest.fixture(scope="session")
def hospital(tmp_path_factory: pytest.TempPathFactory) -> Database:
    path = tmp_path_factory.mktemp("embedded") / "hospital.db"
    create_hospital_database(path, today=TODAY)
    return Database(url=f"sqlite:///{path}", dialect="sqlite", display_name="Hospital")


@pytest.fixture(scope="session")
def saas(tmp_path_factory: pytest.TempPathFactory) -> Database:
    path = tmp_path_factory.mktemp("embedded") / "saas.db"
    create_saas_database(path, today=TODAY)
    return Database(url=f"sqlite:///{path}", dialect="sqlite", display_name="SaaS")
