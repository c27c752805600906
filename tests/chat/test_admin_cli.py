"""The admin command-line tool creates organizations, API keys, admins and integrations."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from devstack.demo_db import create_demo_database
from devstack.stack import ROOT


def _admin(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "services.chat.admin", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_admin_tool_provisions_an_organization(tmp_path) -> None:
    org = _admin(tmp_path, "create-org", "--name", "Acme").stdout.strip()
    key = _admin(tmp_path, "create-api-key", "--org", org).stdout.strip()
    assert key.startswith("trk_") and len(key) > 40
    member = _admin(tmp_path, "create-member", "--org", org, "--email", "Boss@Acme.com", "--admin").stdout.split()
    assert member[1:] == ["boss@acme.com", "admin"]
    db = tmp_path / "demo" / "sales.db"
    create_demo_database(db)
    integration = _admin(tmp_path, "create-integration", "--org", org, "--name", "Sales", "--url", f"sqlite:///{db}")
    assert integration.returncode == 0, integration.stderr
    with sqlite3.connect(tmp_path / "chat.db") as conn:
        keys = [r[0] for r in conn.execute("SELECT key_hash FROM api_keys")]
        urls = [r[0] for r in conn.execute("SELECT url_encrypted FROM integrations")]
    assert key not in keys and len(keys) == 1  # only the hash is kept
    assert str(db) not in urls[0]  # the URL is encrypted at rest


def test_admin_tool_refuses_bad_input_with_a_clear_error(tmp_path) -> None:
    missing = _admin(tmp_path, "create-api-key", "--org", "no-such-org")
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    org = _admin(tmp_path, "create-org", "--name", "Acme").stdout.strip()
    outside = _admin(tmp_path, "create-integration", "--org", org, "--name", "x", "--url", "sqlite:////etc/passwd.db")
    assert outside.returncode == 1 and "INTEGRATION_ALLOWED_DIRS" in outside.stderr
    own = _admin(tmp_path, "create-integration", "--org", org, "--name", "x", "--url", f"sqlite:///{tmp_path}/chat.db")
    assert own.returncode == 1
    weird = _admin(tmp_path, "create-integration", "--org", org, "--name", "x", "--url", "oracle://db/x")
    assert weird.returncode == 1 and "unsupported" in weird.stderr


def test_admin_tool_manages_projects(tmp_path) -> None:
    org = _admin(tmp_path, "create-org", "--name", "Acme").stdout.strip()
    created = _admin(tmp_path, "create-project", "--org", org, "--name", "Handbook", "--tags", "hr, policy,hr")
    assert created.returncode == 0, created.stderr
    project = created.stdout.strip()
    listed = _admin(tmp_path, "list-projects", "--org", org).stdout
    assert listed.strip() == f"{project} Handbook tags=hr,policy"
    updated = _admin(tmp_path, "update-project", "--org", org, "--id", project, "--name", "Handbook 2026", "--tags", "")
    assert updated.stdout.strip() == f"{project} Handbook 2026 tags=-"
    blank = _admin(tmp_path, "create-project", "--org", org, "--name", " ")
    assert blank.returncode == 1 and "name" in blank.stderr
    other = _admin(tmp_path, "create-org", "--name", "Other").stdout.strip()
    foreign = _admin(tmp_path, "update-project", "--org", other, "--id", project, "--name", "x")
    assert foreign.returncode == 1 and "Project not found" in foreign.stderr
