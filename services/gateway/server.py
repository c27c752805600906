"""Gateway entrypoint: `python -m services.gateway.server`."""

from __future__ import annotations

import uvicorn

from services.common.grpc_server import configure_logging
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    configure_logging(settings.log_level)
    print(f"[gateway] listening on http://{settings.host}:{settings.port}", flush=True)
    # uvicorn handles SIGTERM/SIGINT: stops accepting, finishes open requests, runs lifespan shutdown.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=int(settings.shutdown_grace),
        access_log=False,
    )


if __name__ == "__main__":
    main()
