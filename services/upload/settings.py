"""Upload service configuration (environment variables, documented in the README)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field

from services.common.secret_files import load_or_create
from services.common.settings import ServiceSettings


class UploadSettings(ServiceSettings):
    address: str = Field(default="127.0.0.1:50052", alias="UPLOAD_GRPC_ADDRESS")
    # Prometheus metrics on METRICS_HOST:this port (0: none).
    metrics_port: int = Field(default=9465, ge=0, alias="UPLOAD_METRICS_PORT")
    # Image captions by an OpenAI-compatible vision model (unset: the factual description only).
    vision_model: str = Field(default="", alias="VISION_MODEL")
    openai_base_url: str = Field(default="https://api.openai.com/v1", alias="OPENAI_BASE_URL")
    openai_api_key: str = Field(default="", alias="OPENAI_API_KEY")
    vision_timeout: float = Field(default=60.0, alias="VISION_TIMEOUT_SECONDS")
    vision_max_bytes: int = Field(default=8 * 1024 * 1024, alias="VISION_MAX_IMAGE_BYTES")
    database_url: str = Field(default="", validation_alias=AliasChoices("UPLOAD_DATABASE_URL", "DATABASE_URL"))
    chat_target: str = Field(default="127.0.0.1:50051", alias="CHAT_GRPC_TARGET")
    s3_endpoint: str = Field(default="127.0.0.1:8333", alias="S3_ENDPOINT")
    s3_access_key: str = Field(default="", alias="S3_ACCESS_KEY")
    s3_secret_key: str = Field(default="", alias="S3_SECRET_KEY")
    s3_bucket: str = Field(default="trellis-uploads", alias="S3_BUCKET")
    s3_secure: bool = Field(default=False, alias="S3_SECURE")
    s3_region: str = Field(default="us-east-1", alias="S3_REGION")
    rpc_deadline: float = Field(default=10.0, alias="GRPC_DEADLINE_SECONDS")
    # Largest file accepted (contract: 30 MB, counted as MiB); enforced while the bytes arrive.
    max_file_bytes: int = Field(default=30 * 1024 * 1024, alias="UPLOAD_MAX_FILE_BYTES")
    # Where a file is staged while it streams to S3 (the parsers read it there); default DATA_DIR/tmp/uploads.
    tmp_dir: str = Field(default="", alias="UPLOAD_TMP_DIR")
    # Limits of the process each file is parsed in (parsers/sandbox.py).
    parse_cpu_seconds: int = Field(default=30, ge=1, alias="UPLOAD_PARSE_CPU_SECONDS")
    parse_memory_bytes: int = Field(default=1024 * 1024 * 1024, ge=128 * 1024 * 1024, alias="UPLOAD_PARSE_MEMORY_BYTES")
    parse_timeout: float = Field(default=60.0, gt=0, alias="UPLOAD_PARSE_TIMEOUT_SECONDS")

    def resolved_database_url(self) -> str:
        return self.database_url or self.sqlite_default("upload.db")

    def resolved_tmp_dir(self) -> Path:
        path = Path(self.tmp_dir) if self.tmp_dir else self.data_dir / "tmp" / "uploads"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def resolved_s3_credentials(self) -> tuple[str, str]:
        # The embedded SeaweedFS reads the same generated files, so both sides agree.
        access = self.s3_access_key or load_or_create(self.data_dir, "s3_access_key", _access_key)
        secret = self.s3_secret_key or load_or_create(self.data_dir, "s3_secret_key")
        return access, secret


def _access_key() -> str:
    import secrets

    return "trellis" + secrets.token_hex(6)
