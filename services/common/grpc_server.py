"""Bootstrap for a grpc.aio service: auth, health, reflection, graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.common.auth_interceptor import AuthInterceptor
from services.common.token_checks import TokenCheck

log = logging.getLogger(__name__)

# Returns the full names of the services it registered.
Register = Callable[[grpc.aio.Server], list[str]]


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


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
) -> None:
    server = grpc.aio.server(interceptors=[AuthInterceptor(jwt_secret, public_methods, token_check)])
    service_names = register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection([*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise SystemExit(f"{name}: cannot listen on {address}: is the port already in use?")
    await server.start()
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
