"""What the gateway holds while it runs (set up by the app's lifespan), typed for the modules below it."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from services.common.ratelimit import RateLimiter
from services.gateway.clients import ServiceClients
from services.gateway.connection_cap import ConnectionCap
from services.gateway.settings import GatewaySettings


@dataclass(frozen=True)
class GatewayState:
    settings: GatewaySettings
    clients: ServiceClients
    jwt_secret: str
    connection_cap: ConnectionCap
    rate_limiter: RateLimiter


def state_of(connection: HTTPConnection) -> GatewayState:
    """The running gateway's state, from a request or a WebSocket."""
    state = connection.app.state.gateway
    assert isinstance(state, GatewayState)
    return state
