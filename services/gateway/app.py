"""The REST/SSE/WebSocket gateway: an ASGI app that talks to the services only over gRPC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException

from services.common.errors import ApiError
from services.gateway.clients import ServiceClients
from services.gateway.errors import api_error_handler, http_exception_handler, unhandled_error_handler
from services.gateway.routes import authentication, chats, health, uploads
from services.gateway.settings import GatewaySettings


def create_app(settings: GatewaySettings | None = None) -> Starlette:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.clients = ServiceClients(settings.chat_target, settings.upload_target, settings.rpc_deadline)
        app.state.jwt_secret = settings.resolved_jwt_secret()
        app.state.settings = settings
        yield
        await app.state.clients.close()

    return Starlette(
        routes=[*health.routes, *authentication.routes, *uploads.routes, *chats.routes],
        exception_handlers={
            ApiError: api_error_handler,
            HTTPException: http_exception_handler,
            Exception: unhandled_error_handler,
        },
        lifespan=lifespan,
    )
