"""Chat service entrypoint: `python -m services.chat.server`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from services.chat.auth_servicer import AuthServicer
from services.chat.chat_servicer import ChatServicer
from services.chat.settings import ChatSettings
from services.chat.store import ChatStore
from services.common.database import make_engine, migrate
from services.common.gen.trellis.v1 import auth_pb2, auth_pb2_grpc, chat_pb2, chat_pb2_grpc
from services.common.grpc_server import configure_logging, serve
from services.common.ratelimit import make_rate_limiter

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version_chat"


def open_store(settings: ChatSettings) -> ChatStore:
    url = settings.resolved_database_url()
    migrate(url, MIGRATIONS, VERSION_TABLE)
    return ChatStore(make_engine(url))


async def main() -> None:
    settings = ChatSettings()
    configure_logging(settings.log_level)
    store = open_store(settings)
    limiter = make_rate_limiter(settings.redis_url)
    secret = settings.resolved_jwt_secret()

    def register(server: object) -> list[str]:
        auth_pb2_grpc.add_AuthServiceServicer_to_server(
            AuthServicer(store, secret, limiter, settings.authenticate_per_minute), server
        )
        chat_pb2_grpc.add_ChatServiceServicer_to_server(
            ChatServicer(
                store,
                limiter,
                open_chat_cap=settings.open_chat_cap,
                create_per_minute=settings.create_chat_per_minute,
            ),
            server,
        )
        return [
            auth_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name,
            chat_pb2.DESCRIPTOR.services_by_name["ChatService"].full_name,
        ]

    async def close() -> None:
        await limiter.close()
        store.engine.dispose()

    await serve(
        "chat",
        settings.address,
        register,
        jwt_secret=secret,
        public_methods={"/trellis.v1.AuthService/Authenticate"},
        shutdown_grace=settings.shutdown_grace,
        on_shutdown=close,
    )


if __name__ == "__main__":
    asyncio.run(main())
