"""Gateway configuration (environment variables, documented in the README)."""

from __future__ import annotations

from pydantic import Field

from services.common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    host: str = Field(default="127.0.0.1", alias="GATEWAY_HOST")
    port: int = Field(default=8000, alias="GATEWAY_PORT")
    # Processes serving the port (uvicorn workers); their metrics are summed at /metrics.
    workers: int = Field(default=1, ge=1, alias="GATEWAY_WORKERS")
    chat_target: str = Field(default="127.0.0.1:50051", alias="CHAT_GRPC_TARGET")
    # Connections to the Chat service that chats and turns are spread over: one HTTP/2 connection
    # reaches one process, so several let CHAT_WORKERS processes share the load.
    chat_channels: int = Field(default=4, ge=1, le=64, alias="CHAT_GRPC_CHANNELS")
    upload_target: str = Field(default="127.0.0.1:50052", alias="UPLOAD_GRPC_TARGET")
    # Deadline for unary gRPC calls; streaming turns get their own, longer one.
    rpc_deadline: float = Field(default=15.0, alias="GRPC_DEADLINE_SECONDS")
    # Streaming turns: overall deadline, SSE keepalive comment and WebSocket heartbeat periods.
    turn_deadline: float = Field(default=330.0, alias="TURN_DEADLINE_SECONDS")
    sse_keepalive: float = Field(default=15.0, alias="SSE_KEEPALIVE_SECONDS")
    ws_heartbeat: float = Field(default=15.0, alias="WS_HEARTBEAT_SECONDS")
    ws_auth_timeout: float = Field(default=10.0, alias="WS_AUTH_TIMEOUT_SECONDS")
    ws_max_per_token: int = Field(default=3, alias="WS_MAX_CONNECTIONS_PER_TOKEN")
    redis_url: str = Field(default="", alias="REDIS_URL")
    # POST /v1/chats/uploads: files per request, bytes per file (30 MB, counted as MiB), requests per
    # minute per JWT jti, and the deadline of one file's UploadFile stream.
    upload_max_files: int = Field(default=5, alias="UPLOAD_MAX_FILES")
    upload_max_file_bytes: int = Field(default=30 * 1024 * 1024, alias="UPLOAD_MAX_FILE_BYTES")
    upload_rate_per_minute: int = Field(default=30, alias="UPLOAD_RATE_PER_MINUTE")
    upload_deadline: float = Field(default=600.0, alias="UPLOAD_DEADLINE_SECONDS")
