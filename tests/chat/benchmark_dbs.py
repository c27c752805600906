"""The benchmark's generated databases (bench/nl2sql/), importable from the tests: the generators live
next to the benchmark as plain scripts, so their directory goes on the import path."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "nl2sql"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from hospital_db import create_hospital_database  # noqa: E402
from saas_db import create_saas_database  # noqa: E402

__all__ = ["create_hospital_database", "create_saas_database"]
