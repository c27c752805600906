"""Gateway entrypoint: `python -m services.gateway.server`.

uvicorn on uvloop and httptools; GATEWAY_WORKERS processes share the port (uvicorn's workers),
their metrics summed at /metrics through prometheus-client's multi-process mode.
"""

from __future__ import annotations

import uvicorn
from starlette.applications import Starlette

from services.common.grpc_server import configure_logging
from services.common.observability.exposition import prepare_multiprocess
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings


def worker_app() -> Starlette:
    """The app of one of GATEWAY_WORKERS processes (a fresh interpreter: logging set up again)."""
    settings = GatewaySettings()
    configure_logging(settings.log_level, "gateway", settings.log_format)
    return create_app(settings)


def main() -> None:
    settings = GatewaySettings()
    configure_logging(settings.log_level, "gateway", settings.log_format)
    print(f"[gateway] listening on http://{settings.host}:{settings.port}", flush=True)
    options = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level.lower(),
        "log_config": None,  # uvicorn's own lines go through the JSON logging set up above
        "timeout_graceful_shutdown": int(settings.shutdown_grace),
        "access_log": False,  # the observability middleware writes one line per request
        "loop": "uvloop",
        "http": "httptools",
        "backlog": 4096,  # a burst of new connections (1,000 clients at once) must not be refused
        "timeout_keep_alive": 30,
    }
    # uvicorn handles SIGTERM/SIGINT: stops accepting, finishes open requests, runs lifespan shutdown.
    if settings.workers > 1:
        prepare_multiprocess(settings.data_dir.resolve() / "metrics" / f"gateway-{settings.port}")
        uvicorn.run("services.gateway.server:worker_app", factory=True, workers=settings.workers, **options)  # type: ignore[arg-type]
    else:
        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
