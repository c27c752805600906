"""ENVIRONMENT=production: nothing is generated per data directory (two replicas would disagree), and
MIGRATE_ON_START=false: services wait for the migration job instead of migrating."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from cryptography.fernet import Fernet

from devstack.ports import free_port
from devstack.procs import ManagedProcess
from devstack.stack import ROOT, _grpc_serving
from services.chat.settings import ChatSettings
from services.common.secret_files import SecretNotConfiguredError, load_or_create
from services.gateway.settings import GatewaySettings
from services.upload.settings import UploadSettings
from tests.waiting import wait_until

SHARED = ("JWT_SECRET", "ENCRYPTION_KEY", "S3_ACCESS_KEY", "S3_SECRET_KEY", "DATABASE_URL")
FULL = {
    "JWT_SECRET": "a-long-random-jwt-secret",
    "ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "S3_ACCESS_KEY": "access",
    "S3_SECRET_KEY": "secret-key",
    "DATABASE_URL": "postgresql://trellis@db:5432/trellis",
}
NEEDS = {
    ChatSettings: {"JWT_SECRET", "ENCRYPTION_KEY", "DATABASE_URL"},
    UploadSettings: {"JWT_SECRET", "S3_ACCESS_KEY", "S3_SECRET_KEY", "DATABASE_URL"},
    GatewaySettings: {"JWT_SECRET"},
}


@pytest.fixture
def production(monkeypatch, tmp_path) -> Path:
    for name in (*SHARED, "CHAT_DATABASE_URL", "UPLOAD_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.parametrize("settings_class", list(NEEDS), ids=lambda c: c.__name__)
def test_each_shared_setting_is_required_in_production(production, monkeypatch, settings_class) -> None:
    for name, value in FULL.items():
        monkeypatch.setenv(name, value)
    settings_class()  # everything given: fine
    for missing in sorted(NEEDS[settings_class]):
        monkeypatch.delenv(missing)
        with pytest.raises(ValueError, match=f"ENVIRONMENT=production: set .*{missing}"):
            settings_class()
        monkeypatch.setenv(missing, FULL[missing])
    assert not production.exists()  # nothing was generated


def test_development_still_generates_them(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ENVIRONMENT", "development")
    for name in SHARED:
        monkeypatch.delenv(name, raising=False)
    settings = ChatSettings(DATA_DIR=tmp_path)
    assert settings.resolved_jwt_secret() == settings.resolved_jwt_secret()
    assert (tmp_path / "secrets" / "jwt_secret").exists()


def test_no_secret_file_is_ever_created_in_production(production) -> None:
    with pytest.raises(SecretNotConfiguredError, match="JWT_SECRET must be set"):
        load_or_create(production, "jwt_secret")
    assert not production.exists()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SHARED and not k.endswith("_DATABASE_URL")}
    env.update(DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT), **extra)
    return env


@pytest.mark.parametrize(
    ("service", "given", "refused"),
    [
        ("gateway", {}, "JWT_SECRET"),
        ("chat", {"JWT_SECRET": "x", "DATABASE_URL": "sqlite:///x.db"}, "ENCRYPTION_KEY"),
        ("upload", {"JWT_SECRET": "x", "DATABASE_URL": "sqlite:///x.db"}, "S3_ACCESS_KEY, S3_SECRET_KEY"),
    ],
)
def test_a_service_refuses_to_start_in_production_without_its_secrets(tmp_path, service, given, refused) -> None:
    done = subprocess.run(
        [sys.executable, "-m", f"services.{service}.server"],
        env=_env(tmp_path, ENVIRONMENT="production", **given),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert f"ENVIRONMENT=production: set {refused}" in done.stderr, done.stderr[-2000:]
    assert not (tmp_path / "data" / "secrets").exists()


def test_the_migration_job_refuses_a_missing_database_url_in_production(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "services.chat.migrate"],
        env=_env(tmp_path, ENVIRONMENT="production"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "set CHAT_DATABASE_URL or DATABASE_URL" in done.stderr


def test_without_migrate_on_start_a_service_waits_for_the_migration_job(tmp_path) -> None:
    port = free_port()
    env = _env(tmp_path, MIGRATE_ON_START="false", SCHEMA_WAIT_SECONDS="60", CHAT_GRPC_ADDRESS=f"127.0.0.1:{port}")

    def migrate(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "services.chat.migrate", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert migrate("--check").returncode == 1  # a fresh database: not migrated
    chat = ManagedProcess("chat", [sys.executable, "-m", "services.chat.server"], env, tmp_path / "chat.log", ROOT)
    chat.start()
    try:
        wait_until(lambda: "waiting for the schema (alembic_version_chat)" in chat.tail(), "the service waits")
        with pytest.raises(grpc.RpcError):  # not serving meanwhile
            _grpc_serving(f"127.0.0.1:{port}")
        assert migrate("--check").returncode == 1  # and not migrating either
        done = migrate()
        assert done.returncode == 0 and "chat schema: up to date" in done.stdout, done.stderr
        chat.wait_ready(lambda: _grpc_serving(f"127.0.0.1:{port}"), timeout=60)
        assert migrate("--check").returncode == 0
    finally:
        chat.stop()
