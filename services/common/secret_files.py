"""Secrets that must never be constants in the code.

On a single machine a random value is generated on first use and kept under
DATA_DIR/secrets, so every process started on that data directory agrees on it.
With ENVIRONMENT=production nothing is generated: replicas do not share a disk, so a
generated value would differ between them (ServiceSettings refuses to start first; this
is the last guard for any other caller).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

PRODUCTION = "production"


class SecretNotConfiguredError(RuntimeError):
    """A secret would have been generated where it must come from the environment."""


def in_production() -> bool:
    return os.environ.get("ENVIRONMENT", "").strip().lower() == PRODUCTION


def load_or_create(data_dir: Path, name: str, factory: Callable[[], str] | None = None) -> str:
    if in_production():
        raise SecretNotConfiguredError(
            f"ENVIRONMENT=production: {name.upper()} must be set in the environment (it is never generated there)"
        )
    folder = data_dir / "secrets"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / name
    try:
        # O_EXCL: when several processes start together exactly one writes the value.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write((factory or (lambda: secrets.token_urlsafe(48)))())
    for _ in range(50):
        value = path.read_text().strip()
        if value:
            return value
        time.sleep(0.02)  # another process is between create and write
    raise RuntimeError(f"secret file {path} is empty: delete it to regenerate")
