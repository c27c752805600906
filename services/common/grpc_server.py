"""Bootstrap for a grpc.aio service: auth, observability (debug ids, metrics, traces), health,
reflection, graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.common.auth_interceptor import AuthInterceptor
from services.common.observability import json_logs, tracing
from services.common.observability.exposition import serve_metrics
from services.common.observability.grpc_interceptor import ObservabilityInterceptor
from services.common.token_checks import TokenCheck

log = logging.getLogger(__name__)

# Returns the full names of the services it registered.
Register = Callable[[grpc.aio.Server], list[str]]


# Tuned for many concurrent streaming turns on one connection from the gateway.
SERVER_OPTIONS = [
    ("grpc.max_concurrent_streams", 4096),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
]


def configure_logging(level: str, service: str = "", fmt: str = "json") -> None:
    """JSON log lines carrying debug ids (LOG_FORMAT=text for text), and traces when configured."""
    json_logs.configure_logging(level, service, fmt)
    if service:
        tracing.configure(service)


async def serve(
    name: str,
    address: str,
    register: Register,
    *,
    jwt_secret: str,
    public_methods: set[str],
    shutdown_grace: float,
    on_shutdown: Callable[[], Awaitable[None]] | None = None,
    token_check: TokenCheck | None = None,
    metrics_address: tuple[str, int] | None = None,
) -> None:
    interceptors = [ObservabilityInterceptor(), AuthInterceptor(jwt_secret, public_methods, token_check)]
    server = grpc.aio.server(interceptors=interceptors, options=SERVER_OPTIONS)
    service_names = register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection([*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise SystemExit(f"{name}: cannot listen on {address}: is the port already in use?")
    await server.start()
    if metrics_address is not None:
        serve_metrics(*metrics_address, name)
    for svc in ["", *service_names]:
        await health_servicer.set(svc, health_pb2.HealthCheckResponse.SERVING)
    host = address.rsplit(":", 1)[0]
    print(f"[{name}] serving gRPC on {host}:{port} ({', '.join(service_names)})", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    # Tell load balancers first, then let in-flight RPCs (streams included) drain.
    print(f"[{name}] shutting down: NOT_SERVING, draining for up to {shutdown_grace:.0f}s", flush=True)
    await health_servicer.enter_graceful_shutdown()
    await server.stop(shutdown_grace)
    if on_shutdown is not None:
        await on_shutdown()
    print(f"[{name}] stopped", flush=True)
