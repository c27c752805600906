"""The images' lock files: one per service extra of pyproject.toml, with hashes, from PyPI only.

    .venv/bin/python deploy/docker/lock.py           # write deploy/docker/requirements/<extra>.txt
    .venv/bin/python deploy/docker/lock.py --check   # fail if they are not what pyproject.toml gives

uv resolves each extra (the shared dependencies included) for Python 3.11 on any platform, taking
only releases published before EXCLUDE_NEWER: the same inputs give the same files whenever this
runs, and CI's --check does not drift as PyPI moves on. Like writing, the check starts from the
committed file, so pins that still satisfy pyproject.toml stay. To take newer releases, move
EXCLUDE_NEWER forward, delete the files and run this again. The images install a file with
`pip install --no-deps --require-hashes --only-binary=:all:`.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "deploy" / "docker" / "requirements"
EXTRAS = ("chat", "upload", "gateway", "edge")
PYTHON_VERSION = "3.11"
EXCLUDE_NEWER = "2026-12-01T00:00:00Z"
INDEX_URL = "https://pypi.org/simple"


def uv() -> str:
    local = Path(sys.executable).parent / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    if not found:
        sys.exit("uv not found: run scripts/bootstrap.sh (the dev extra installs it from PyPI)")
    return found


def compile_extra(extra: str, out: Path) -> None:
    cmd = [
        uv(),
        "pip",
        "compile",
        "--quiet",
        "--no-config",
        "pyproject.toml",
        "--extra",
        extra,
        "--generate-hashes",
        "--universal",
        "--python-version",
        PYTHON_VERSION,
        "--exclude-newer",
        EXCLUDE_NEWER,
        "--index-url",
        INDEX_URL,
        "--custom-compile-command",
        "python deploy/docker/lock.py",
        "--output-file",
        str(out),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    subprocess.run(cmd, cwd=ROOT, check=True, env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    if not args.check:
        OUT.mkdir(parents=True, exist_ok=True)
        for extra in EXTRAS:
            compile_extra(extra, OUT / f"{extra}.txt")
            print(f"wrote {(OUT / f'{extra}.txt').relative_to(ROOT)}")
        return 0
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for extra in EXTRAS:
            fresh = Path(tmp) / f"{extra}.txt"
            committed = OUT / f"{extra}.txt"
            if committed.exists():
                # uv keeps the pins an output file already has while they satisfy pyproject.toml, as
                # writing does: the check then asks "is this what lock.py writes?", not "is nothing
                # newer on PyPI?" (which changes with every upstream release).
                shutil.copyfile(committed, fresh)
            compile_extra(extra, fresh)
            old = committed.read_text().splitlines() if committed.exists() else []
            diff = list(difflib.unified_diff(old, fresh.read_text().splitlines(), str(committed), "fresh", lineterm=""))
            if diff:
                stale.append(extra)
                print("\n".join(diff[:40]))
    if stale:
        print(f"lock files out of date for {', '.join(stale)}: run `python deploy/docker/lock.py`")
        return 1
    print(f"lock files match pyproject.toml ({', '.join(EXTRAS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
