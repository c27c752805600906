"""Run every benchmark and write bench/RESULTS.md: the machine, each benchmark's figures, the ratios.

    .venv/bin/python bench/run_all.py           # full: bench/RESULTS.md (about 10 minutes on 2 cores)
    .venv/bin/python bench/run_all.py --quick   # CI: small sizes, well under 2 minutes, build/bench/RESULTS-quick.md

Each benchmark runs in its own process, one after another (never two at once on the 2 cores), and
its report is copied into the results as printed. The ratios are measured side by side in the same
run: SSE and WebSocket against direct gRPC (turn_latency.py), the gateway's upload against a direct
S3 put (upload_throughput.py), and concurrent streams against the issue's figures (streams.py).
A benchmark that fails is reported as failed and makes the command exit non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

# The "today" figures (issue #13), measured before this work with the run command.
TODAY = {
    100: "first event p50 0.5 s",
    300: "first event p50 1.5 s, p99 1.9 s",
    1000: "first event p50 14.7 s, p99 30.8 s, 203 of 1,000 failed (HTTP 499) (model at 5 chunks/s, 100 arrivals/s)",
}


def benchmarks(quick: bool) -> list[tuple[str, list[str]]]:
    if quick:
        return [
            ("streams", ["bench/streams.py", "--levels", "20", "--chunks", "5", "--rate", "10", "--arrival", "50"]),
            ("turn_latency", ["bench/turn_latency.py", "--turns", "6"]),
            ("upload_throughput", ["bench/upload_throughput.py", "--size-mib", "2", "--runs", "1"]),
            ("demo_db_generation", ["bench/demo_db_generation.py", "--runs", "1"]),
            ("mixed_load", ["bench/mixed_load.py", "--users", "3", "--rounds", "1"]),
        ]
    return [
        ("streams", ["bench/streams.py", "--levels", "100,300,1000"]),
        ("turn_latency", ["bench/turn_latency.py", "--turns", "100"]),
        ("upload_throughput", ["bench/upload_throughput.py"]),
        ("demo_db_generation", ["bench/demo_db_generation.py", "--runs", "5"]),
        ("mixed_load", ["bench/mixed_load.py", "--users", "20", "--rounds", "5"]),
    ]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    mem_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kib / 2**20:.0f} GiB memory, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; the load client, the model test server "
        "and every service on this same machine, over 127.0.0.1"
    )


def streams_table(report: list[dict]) -> str:
    rows = [
        "| N | first event p50 / p99 | turn p50 / p99 | errors | turns/s | every reply stored | "
        "peak RSS gateway / chat (MiB) | per open stream gateway / chat | before (issue #13) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report:

        def ms(v: float | None) -> str:
            return "-" if v is None else (f"{v:.0f} ms" if v < 1000 else f"{v / 1000:.2f} s")

        def s(v: float | None) -> str:
            return "-" if v is None else f"{v:.1f} s"

        kinds = ", ".join(f"{k} {v}" for k, v in r["error_kinds"].items())
        stored = "yes" if r["unanswered_in_history"] == 0 else f"no: {r['unanswered_in_history']} missing"
        rows.append(
            f"| {r['n']} | {ms(r['first_event_ms_p50'])} / {ms(r['first_event_ms_p99'])} | "
            f"{s(r['turn_s_p50'])} / {s(r['turn_s_p99'])} | {r['errors']}{f' ({kinds})' if kinds else ''} | "
            f"{r['turns_per_s']} | {stored} | "
            f"{r['rss_peak_mib']['gateway']} / {r['rss_peak_mib']['chat']} | "
            f"{r['kib_per_stream']['gateway']} KiB / {r['kib_per_stream']['chat']} KiB | {TODAY.get(r['n'], '-')} |"
        )
    big = next((r for r in report if r["n"] == 1000), None)
    if big is not None:
        p99 = big["first_event_ms_p99"] or 0
        met = big["errors"] == 0 and p99 <= 250 and big["unanswered_in_history"] == 0
        rows.append(
            f"\nIssue #13's target for N=1000 (0 errors, first event p99 <= 250 ms, every reply stored): "
            f"**{'met' if met else 'not met'}** (errors {big['errors']}, p99 {p99:.0f} ms, "
            f"{big['unanswered_in_history']} replies missing). Memory per open stream <= 100 KB: "
            f"**{'met' if max(big['kib_per_stream'].values()) <= 100 else 'not met'}** at N=1000."
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes for CI")
    parser.add_argument("--output", type=Path, help="where to write the results (default per mode)")
    args = parser.parse_args()
    output = args.output or (
        ROOT / "build" / "bench" / "RESULTS-quick.md" if args.quick else ROOT / "bench" / "RESULTS.md"
    )
    sections, failed = [], []
    started = time.monotonic()
    for name, cmd in benchmarks(args.quick):
        print(f"[run_all] {name}: {' '.join(cmd)}", flush=True)
        t0 = time.monotonic()
        result = subprocess.run([PY, *cmd], cwd=ROOT, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - t0
        if result.returncode != 0:
            failed.append(name)
            body = f"**failed** (exit {result.returncode}):\n\n```text\n{(result.stdout + result.stderr)[-3000:]}\n```"
        elif name == "streams":
            body = streams_table(json.loads(result.stdout))
        else:
            body = f"```text\n{result.stdout.strip()}\n```"
        sections.append(f"## {name}\n\n`python {' '.join(cmd)}` ({elapsed:.0f} s)\n\n{body}\n")
        print(f"[run_all] {name}: {'failed' if result.returncode else 'done'} in {elapsed:.0f} s", flush=True)
    mode = "quick (CI sizes: not comparable to the full figures)" if args.quick else "full"
    text = (
        "# Benchmark results\n\n"
        f"Written by `bench/run_all.py` ({mode}) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in "
        f"{time.monotonic() - started:.0f} s. Machine: {machine()}. How each benchmark works: bench/README.md.\n\n"
        + "\n".join(sections)
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(text)
    print(f"[run_all] wrote {output}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
