"""The REST/SSE/WebSocket gateway: an ASGI app that talks to the services only over gRPC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware

from services.common.errors import ApiError
from services.common.ratelimit import make_rate_limiter
from services.gateway.clients import ServiceClients
from services.gateway.connection_cap import make_connection_cap
from services.gateway.errors import api_error_handler, http_exception_handler, unhandled_error_handler
from services.gateway.observability import ObservabilityMiddleware
from services.gateway.routes import (
    auth,
    chats,
    console,
    health,
    integrations,
    memories,
    messages,
    metrics,
    models,
    openapi,
    organization_rules,
    personal_keys,
    projects,
    saved_queries,
    uploads,
    webui_chat_lists,
    webui_chats,
    webui_folders,
    webui_shares,
    webui_tags,
    webui_transfers,
    ws,
)
from services.gateway.settings import GatewaySettings
from services.gateway.state import GatewayState


def create_app(settings: GatewaySettings | None = None) -> Starlette:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state = GatewayState(
            settings=settings,
            clients=ServiceClients(
                settings.chat_target,
                settings.upload_target,
                settings.rpc_deadline,
                chat_channels=settings.chat_channels,
            ),
            jwt_secret=settings.resolved_jwt_secret(),
            connection_cap=make_connection_cap(settings.redis_url),
            rate_limiter=make_rate_limiter(settings.redis_url),
        )
        app.state.gateway = state
        yield
        await state.clients.close()
        await state.connection_cap.close()
        await state.rate_limiter.close()

    return Starlette(
        routes=[
            *health.routes,
            *auth.routes,
            *models.routes,
            *ws.routes,
            *uploads.routes,
            *messages.routes,
            *chats.routes,
            *saved_queries.routes,
            *integrations.routes,
            *memories.routes,
            *organization_rules.routes,
            *projects.routes,
            # Open WebUI's chats and folders (docs/openwebui.md): static paths before webui_chats' /{chat_id}.
            *webui_chat_lists.routes,
            *webui_tags.routes,
            *webui_shares.routes,
            *webui_transfers.routes,
            *webui_chats.routes,
            *webui_folders.routes,
            *personal_keys.routes,
            *console.routes,
            *metrics.routes,
            *openapi.routes,
        ],
        middleware=[Middleware(ObservabilityMiddleware)],
        exception_handlers={
            ApiError: api_error_handler,
            HTTPException: http_exception_handler,
            Exception: unhandled_error_handler,
        },
        lifespan=lifespan,
    )
