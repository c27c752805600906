"""Configuration shared by every service; each service subclasses ServiceSettings."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.secret_files import load_or_create


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("data"), alias="DATA_DIR")
    jwt_secret: str = Field(default="", alias="JWT_SECRET")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    # Seconds in-flight RPCs get to finish after SIGTERM.
    shutdown_grace: float = Field(default=10.0, alias="SHUTDOWN_GRACE_SECONDS")

    def resolved_jwt_secret(self) -> str:
        if self.jwt_secret:
            return self.jwt_secret
        return load_or_create(self.data_dir, "jwt_secret")

    def sqlite_default(self, name: str) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / name).resolve()}"
