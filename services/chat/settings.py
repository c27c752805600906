"""Chat service configuration (environment variables, documented in the README)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import AliasChoices, Field
from sqlalchemy.engine import make_url

from services.chat.engines.openai.history import DEFAULT_TOKEN_BUDGET as DEFAULT_HISTORY_TOKEN_BUDGET
from services.common.secret_files import load_or_create
from services.common.settings import ServiceSettings


class ChatSettings(ServiceSettings):
    address: str = Field(default="127.0.0.1:50051", alias="CHAT_GRPC_ADDRESS")
    # Prometheus metrics on METRICS_HOST:this port (0: none).
    metrics_port: int = Field(default=9464, ge=0, alias="CHAT_METRICS_PORT")
    # Processes serving CHAT_GRPC_ADDRESS together (services/common/worker_processes.py).
    workers: int = Field(default=1, ge=1, le=64, alias="CHAT_WORKERS")
    database_url: str = Field(default="", validation_alias=AliasChoices("CHAT_DATABASE_URL", "DATABASE_URL"))
    redis_url: str = Field(default="", alias="REDIS_URL")
    open_chat_cap: int = Field(default=500, alias="OPEN_CHAT_CAP")
    create_chat_per_minute: int = Field(default=20, alias="CREATE_CHAT_RATE_PER_MINUTE")
    authenticate_per_minute: int = Field(default=600, alias="AUTHENTICATE_RATE_PER_MINUTE")
    encryption_key: str = Field(default="", alias="ENCRYPTION_KEY")
    # The Upload service, asked about uploads attached to a turn.
    upload_target: str = Field(default="127.0.0.1:50052", alias="UPLOAD_GRPC_TARGET")
    rpc_deadline: float = Field(default=10.0, alias="GRPC_DEADLINE_SECONDS")
    send_per_minute: int = Field(default=30, alias="SEND_RATE_PER_MINUTE")
    turn_timeout: float = Field(default=300.0, alias="TURN_TIMEOUT_SECONDS")
    # A chat's running turn renews its claim every third of this; a claim not renewed for this long
    # (its process died) no longer blocks the chat.
    turn_lock_stale: float = Field(default=45.0, gt=0, alias="TURN_LOCK_STALE_SECONDS")
    query_timeout: float = Field(default=15.0, alias="QUERY_TIMEOUT_SECONDS")
    # Byte caps on every query result, applied while rows are fetched (sql/result_caps.py).
    query_max_cell_bytes: int = Field(default=64 * 1024, ge=64, alias="QUERY_MAX_CELL_BYTES")
    query_max_result_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, alias="QUERY_MAX_RESULT_BYTES")
    # Pace of the embedded engine's text deltas (a typing effect); 0 streams as fast as possible.
    stream_delay_ms: int = Field(default=0, alias="ENGINE_STREAM_DELAY_MS")
    # OpenAI-compatible models (engines/openai/engine.py): `id[=Display name],...`; none while empty.
    openai_base_url: str = Field(default="", alias="OPENAI_BASE_URL")
    openai_api_key: str = Field(default="", alias="OPENAI_API_KEY")
    openai_models: str = Field(default="", alias="OPENAI_MODELS")
    openai_max_steps: int = Field(default=8, ge=1, alias="OPENAI_MAX_STEPS")
    openai_max_tokens: int = Field(default=1024, ge=1, alias="OPENAI_MAX_TOKENS")
    openai_timeout: float = Field(default=120.0, gt=0, alias="OPENAI_TIMEOUT_SECONDS")
    # Estimated tokens (characters / 4) of earlier turns sent with a question; 0 sends none.
    openai_history_token_budget: int = Field(
        default=DEFAULT_HISTORY_TOKEN_BUDGET, ge=0, alias="OPENAI_HISTORY_TOKEN_BUDGET"
    )
    # The model_id used when a turn names none; the embedded engine when unset or unknown.
    default_model: str = Field(default="", alias="DEFAULT_MODEL")
    # A user message left without an answer for this long (a crashed turn) gets an error marker.
    turn_recovery_grace: float = Field(default=330.0, alias="TURN_RECOVERY_GRACE_SECONDS")

    def resolved_database_url(self) -> str:
        return self.database_url or self.sqlite_default("chat.db")

    def resolved_encryption_key(self) -> str:
        if self.encryption_key:
            return self.encryption_key
        from cryptography.fernet import Fernet

        return load_or_create(self.data_dir, "encryption_key", lambda: Fernet.generate_key().decode())

    # os.pathsep-separated directories where SQLite/DuckDB integration files may live.
    integration_allowed_dirs: str = Field(default="", alias="INTEGRATION_ALLOWED_DIRS")

    def allowed_integration_dirs(self) -> list[Path]:
        if self.integration_allowed_dirs:
            return [Path(p) for p in self.integration_allowed_dirs.split(os.pathsep) if p]
        return [self.data_dir / "demo"]

    # Comma-separated hosts network integrations may point at; empty allows any host.
    integration_allowed_hosts: str = Field(default="", alias="INTEGRATION_ALLOWED_HOSTS")

    def allowed_integration_hosts(self) -> list[str] | None:
        hosts = [h.strip().lower() for h in self.integration_allowed_hosts.split(",") if h.strip()]
        return hosts or None

    # The Upload service's database and staging folder, which integrations must not reach either.
    upload_database_url: str = Field(default="", validation_alias=AliasChoices("UPLOAD_DATABASE_URL", "DATABASE_URL"))
    upload_tmp_dir: str = Field(default="", alias="UPLOAD_TMP_DIR")

    def attachments_dir(self) -> Path:
        """Where spreadsheets attached to turns are kept as SQLite files (turns/attachment_tables.py)."""
        return self.data_dir / "attachments"

    def service_database_urls(self) -> list[str]:
        """The Chat and Upload services' own databases (SQLite files by default)."""
        upload = self.upload_database_url or f"sqlite:///{(self.data_dir / 'upload.db').resolve()}"
        return [self.resolved_database_url(), upload]

    def forbidden_integration_paths(self) -> list[Path]:
        """Files and folders no SQLite/DuckDB integration may open, whatever INTEGRATION_ALLOWED_DIRS says:
        the services' databases, secrets, staged uploads, the attachment cache, logs and object storage."""
        paths = [self.data_dir / name for name in ("chat.db", "upload.db", "secrets", "tmp", "logs", "seaweedfs")]
        paths.append(self.attachments_dir())
        if self.upload_tmp_dir:
            paths.append(Path(self.upload_tmp_dir))
        for url in self.service_database_urls():
            parsed = make_url(url)
            if parsed.get_backend_name() in ("sqlite", "duckdb") and parsed.database:
                paths.append(Path(parsed.database))
        return paths
