"""The REST/SSE/WebSocket gateway: an ASGI app that talks to the services only over gRPC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException

from services.common.errors import ApiError
from services.common.ratelimit import make_rate_limiter
from services.gateway.clients import ServiceClients
from services.gateway.connection_cap import make_connection_cap
from services.gateway.errors import api_error_handler, http_exception_handler, unhandled_error_handler
from services.gateway.routes import (
    authentication,
    chats,
    health,
    integrations,
    memories,
    messages,
    models,
    queries,
    rules,
    uploads,
    ws,
)
from services.gateway.settings import GatewaySettings


def create_app(settings: GatewaySettings | None = None) -> Starlette:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.clients = ServiceClients(settings.chat_target, settings.upload_target, settings.rpc_deadline)
        app.state.jwt_secret = settings.resolved_jwt_secret()
        app.state.settings = settings
        app.state.connection_cap = make_connection_cap(settings.redis_url)
        app.state.rate_limiter = make_rate_limiter(settings.redis_url)
        yield
        await app.state.clients.close()
        await app.state.connection_cap.close()
        await app.state.rate_limiter.close()

    return Starlette(
        routes=[
            *health.routes,
            *authentication.routes,
            *models.routes,
            *ws.routes,
            *uploads.routes,
            *messages.routes,
            *chats.routes,
            *queries.routes,
            *integrations.routes,
            *memories.routes,
            *rules.routes,
        ],
        exception_handlers={
            ApiError: api_error_handler,
            HTTPException: http_exception_handler,
            Exception: unhandled_error_handler,
        },
        lifespan=lifespan,
    )
