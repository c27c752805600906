"""Several processes of one gRPC service on one port, so a machine's every core serves it.

The parent starts `count` copies of the service's module (`python -m …`), each binding the same
address (gRPC sets SO_REUSEPORT on Linux, so the kernel spreads incoming connections over them),
and restarts one that dies. SIGTERM/SIGINT go to every worker, which drains its streams as a single
process would; the parent exits once they all have. Metrics of all workers are summed by the
parent's /metrics (prometheus-client's multi-process mode).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from prometheus_client import multiprocess

from services.common.observability.exposition import prepare_multiprocess, serve_metrics

log = logging.getLogger(__name__)
WORKER_ENV = "SERVICE_WORKER_INDEX"  # set in each worker: it serves, and never forks again
RESTART_BACKOFF = (0.5, 10.0)  # first and longest wait before a crashed worker is started again


def is_worker() -> bool:
    return WORKER_ENV in os.environ


async def supervise(
    name: str,
    module: str,
    count: int,
    *,
    worker_env: Mapping[str, str],
    metrics_dir: Path,
    metrics_address: tuple[str, int],
) -> None:
    """Run `count` workers of `module` until SIGTERM/SIGINT; `worker_env` is added to each one's."""
    prepare_multiprocess(metrics_dir)  # before any worker starts: they inherit the directory
    serve_metrics(*metrics_address, name)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"[{name}] starting {count} worker processes", flush=True)
    runners = [asyncio.create_task(_keep_running(name, module, i, worker_env, stop)) for i in range(count)]
    await asyncio.gather(*runners)
    print(f"[{name}] every worker stopped", flush=True)


async def _keep_running(name: str, module: str, index: int, extra: Mapping[str, str], stop: asyncio.Event) -> None:
    env = {**os.environ, **extra, WORKER_ENV: str(index)}
    backoff = RESTART_BACKOFF[0]
    while not stop.is_set():
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", module, env=env)
        waiting = asyncio.create_task(proc.wait())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set() and proc.returncode is None:
            proc.send_signal(signal.SIGTERM)  # the worker drains its open streams, then exits
        code = await waiting
        stopping.cancel()
        multiprocess.mark_process_dead(proc.pid)  # type: ignore[no-untyped-call]
        if stop.is_set():
            return
        # A crash: start it again, waiting longer while it keeps crashing at start-up.
        backoff = RESTART_BACKOFF[0] if time.monotonic() - started > 60 else min(backoff * 2, RESTART_BACKOFF[1])
        log.error("%s worker %d (pid %d) exited with code %s; starting it again", name, index, proc.pid, code)
        await asyncio.sleep(backoff)
