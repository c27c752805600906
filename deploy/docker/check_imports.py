"""Each service image's dependency set is enough: install one lock file alone, import the service.

    .venv/bin/python deploy/docker/check_imports.py

For chat, upload and gateway: a fresh virtual environment (uv, this Python) with only
deploy/docker/requirements/<service>.txt installed the way the Dockerfile does (hashes, wheels, no
dependencies resolved), then every module the image runs is imported with the service's code
alone on the path, as in the image. What no Docker engine can build here is checked this way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = {
    "chat": ["services.chat.server", "services.chat.migrate", "services.chat.engines.openai.engine"],
    "upload": [
        "services.upload.server",
        "services.upload.migrate",
        "services.upload.parsers.pdf",
        "services.upload.parsers.xlsx",
        "services.upload.parsers.image",
    ],
    "gateway": ["services.gateway.server"],
}
# Lazy imports the service needs at run time (inside functions), named by module.
LAZY = {
    "chat": ["psycopg", "pymysql", "redis.asyncio", "cryptography.fernet"],
    "upload": ["psycopg", "PIL.Image", "pypdf", "openpyxl"],
    "gateway": ["redis.asyncio", "uvloop", "httptools", "websockets"],
}
# What a service image must not carry.
ABSENT = {
    "chat": ["minio", "PIL", "starlette"],
    "upload": ["starlette", "sqlglot"],
    "gateway": ["sqlmodel", "alembic", "minio"],
}


def uv() -> str:
    local = Path(sys.executable).parent / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    if not found:
        sys.exit("uv not found: run scripts/bootstrap.sh")
    return found


def check(service: str, work: Path) -> None:
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_", "PYTHON", "VIRTUAL_ENV"))}
    venv = work / f"venv-{service}"
    # The interpreter running this (3.11, as in the images); never one downloaded by uv.
    interpreter = ["--no-python-downloads", "--python", sys.executable]
    subprocess.run([uv(), "venv", "--quiet", *interpreter, str(venv)], check=True, env=env)
    lock = ROOT / "deploy" / "docker" / "requirements" / f"{service}.txt"
    install = [uv(), "pip", "install", "--quiet", "--no-config", "--python", str(venv / "bin" / "python")]
    install += ["--no-deps", "--require-hashes", "--only-binary", ":all:", "-r", str(lock)]
    subprocess.run(install, check=True, env=env)
    # The image's /app: services/__init__.py, services/common and the service's own package only.
    app = work / f"app-{service}" / "services"
    app.mkdir(parents=True)
    shutil.copy(ROOT / "services" / "__init__.py", app / "__init__.py")
    for package in ("common", service):
        shutil.copytree(ROOT / "services" / package, app / package, ignore=shutil.ignore_patterns("__pycache__"))
    probe = "import importlib, sys\n"
    probe += f"for name in {MODULES[service] + LAZY[service]!r}: importlib.import_module(name)\n"
    probe += f"for name in {ABSENT[service]!r}:\n"
    probe += "    try: importlib.import_module(name)\n    except ImportError: continue\n"
    probe += "    sys.exit(f'{name} is importable but is not a dependency of this image')\n"
    subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-c", f"import sys; sys.path.insert(0, {str(app.parent)!r})\n{probe}"],
        check=True,
        cwd=app.parent,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(work)},
    )
    print(f"{service}: imports with only {lock.relative_to(ROOT)} ({time.monotonic() - started:.1f}s)", flush=True)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for service in MODULES:
            check(service, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
