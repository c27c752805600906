"""Configuration shared by every service; each service subclasses ServiceSettings."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.secret_files import PRODUCTION, load_or_create

# Settings that every replica must agree on: with ENVIRONMENT=production each one a service has must
# come from the environment (never generated under DATA_DIR, which each replica has its own of).
# Field name -> the variable(s) that set it.
SHARED_SETTINGS: dict[str, str] = {
    "jwt_secret": "JWT_SECRET",
    "encryption_key": "ENCRYPTION_KEY",
    "s3_access_key": "S3_ACCESS_KEY",
    "s3_secret_key": "S3_SECRET_KEY",
    "database_url": "DATABASE_URL (or CHAT_DATABASE_URL / UPLOAD_DATABASE_URL)",
}


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("data"), alias="DATA_DIR")
    jwt_secret: str = Field(default="", alias="JWT_SECRET")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    # `json`: one JSON object per line with the request's debug_id; `text`: classic lines.
    log_format: str = Field(default="json", alias="LOG_FORMAT")
    # Where the services serve Prometheus metrics (each on its own port: CHAT_/UPLOAD_METRICS_PORT).
    metrics_host: str = Field(default="127.0.0.1", alias="METRICS_HOST")
    # Seconds in-flight RPCs get to finish after SIGTERM.
    shutdown_grace: float = Field(default=10.0, alias="SHUTDOWN_GRACE_SECONDS")
    # `production`: refuse to start without the shared settings above (see docs/configuration.md).
    environment: str = Field(default="development", alias="ENVIRONMENT")
    # false: the service never migrates its schema; it waits (up to SCHEMA_WAIT_SECONDS) for a
    # migration job (`python -m services.chat.migrate`, `python -m services.upload.migrate`).
    migrate_on_start: bool = Field(default=True, alias="MIGRATE_ON_START")
    schema_wait: float = Field(default=300.0, ge=0, alias="SCHEMA_WAIT_SECONDS")
    # How long a token's "still valid" answer is reused: the bound on revocation staleness.
    token_check_ttl: float = Field(default=5.0, ge=0, alias="TOKEN_CHECK_CACHE_SECONDS")

    @property
    def production(self) -> bool:
        return self.environment.strip().lower() == PRODUCTION

    @model_validator(mode="after")
    def _production_needs_shared_settings(self) -> Self:
        if not self.production:
            return self
        missing = [
            variable
            for name, variable in SHARED_SETTINGS.items()
            if name in type(self).model_fields and not str(getattr(self, name)).strip()
        ]
        if missing:
            raise ValueError(
                "ENVIRONMENT=production: set "
                + ", ".join(missing)
                + " in the environment (identical in every replica); nothing is generated in production"
            )
        return self

    def resolved_jwt_secret(self) -> str:
        if self.jwt_secret:
            return self.jwt_secret
        return load_or_create(self.data_dir, "jwt_secret")

    def sqlite_default(self, name: str) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / name).resolve()}"
