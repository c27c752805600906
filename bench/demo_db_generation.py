"""How long the retail demo database takes to generate (the run command makes it on first start).

    .venv/bin/python bench/demo_db_generation.py [--runs 5]

Generates the demo database (devstack/demo_db.py, fixed seed) `--runs` times in a temporary
directory and prints the median and best time and the number of rows. Nothing is asserted:
timings depend on the machine. (The test suite asserted "under 5 s" until speed moved here.)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from devstack.demo_db import create_demo_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory(prefix="demo-db-bench-") as tmp:
        for run in range(args.runs):
            began = time.perf_counter()
            counts = create_demo_database(Path(tmp) / f"demo-{run}.db")
            times.append(time.perf_counter() - began)
    print(
        f"{sum(counts.values())} rows in {len(counts)} tables: median {statistics.median(times):.2f} s, "
        f"best {min(times):.2f} s over {args.runs} runs"
    )


if __name__ == "__main__":
    main()
