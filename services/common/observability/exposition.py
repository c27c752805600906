"""Serving the metrics: text for the gateway's /metrics, a small HTTP server for each service.

With several processes per service (GATEWAY_WORKERS) every process writes its
metrics to PROMETHEUS_MULTIPROC_DIR (set by the parent before any worker starts) and one
scrape aggregates them all.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
    start_http_server,
)

log = logging.getLogger(__name__)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST


def _registry() -> CollectorRegistry:
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def render() -> bytes:
    """The Prometheus text exposition of this process (or of all processes of a multi-process service)."""
    return generate_latest(_registry())


def prepare_multiprocess(directory: Path) -> None:
    """Before forking workers: an empty directory for their metric files, named in the environment."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(directory)


def serve_metrics(host: str, port: int, name: str) -> None:
    """Serve GET /metrics on host:port from a background thread; port 0 turns it off."""
    if port <= 0:
        return
    try:
        start_http_server(port, addr=host, registry=_registry())
    except OSError as exc:  # the service itself still serves: say so loudly rather than stop it
        log.error("cannot serve metrics on %s:%d: %s", host, port, exc)
        return
    print(f"[{name}] serving Prometheus metrics on http://{host}:{port}/metrics", flush=True)
