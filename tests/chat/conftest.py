"""The benchmark's three generated databases, made once per test session for the engine's tests, and
what the OpenAI-compatible engine's tests share: a scripted model server and the demo database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.demo_db import create_demo_database
from services.chat.engines.base import Database
from tests.chat.benchmark_dbs import create_hospital_database, create_saas_database
from tests.chat.engine_helpers import TODAY
from tests.fake_openai_server import FakeOpenAIServer


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


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    """A scripted OpenAI-compatible server: each test queues the replies its model gives."""
    with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model-engine") / "retail.db"
    create_demo_database(path)
    return path


@pytest.fixture(scope="module")
def database(demo_db: Path) -> Database:
    """The demo database as a model engine's tests connect it."""
    return Database(url=f"sqlite:///{demo_db}", dialect="sqlite", display_name="Retail")
