"""S3-compatible object storage through the minio client (SeaweedFS locally, MinIO in Kubernetes)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import urllib3
from minio import Minio
from minio.error import MinioException

from services.common.errors import ApiError

log = logging.getLogger(__name__)
PRESIGN_EXPIRY = timedelta(hours=1)


class ObjectStorage:
    def __init__(
        self, endpoint: str, access_key: str, secret_key: str, bucket: str, *, secure: bool, region: str
    ) -> None:
        # Short timeouts and no retries: a dead S3 must surface as STORAGE_UNAVAILABLE, not a hang.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=3, read=30), retries=urllib3.Retry(total=0), maxsize=16
        )
        self.client = Minio(
            endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region, http_client=http
        )
        self.bucket = bucket

    def ensure_bucket(self, wait_seconds: float = 30) -> None:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                if not self.client.bucket_exists(self.bucket):
                    self.client.make_bucket(self.bucket)
                return
            except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"object storage at {self.client._base_url.host} is unreachable or refuses the "
                        f"credentials ({exc}): check S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY"
                    ) from None
                log.info("waiting for object storage: %s", exc)
                time.sleep(0.5)

    def presigned_url(self, key: str) -> str:
        try:
            return self.client.presigned_get_object(self.bucket, key, expires=PRESIGN_EXPIRY)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise ApiError("STORAGE_UNAVAILABLE", f"Object storage is unavailable: {exc}") from None

    def remove(self, key: str) -> None:
        try:
            self.client.remove_object(self.bucket, key)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise ApiError("STORAGE_UNAVAILABLE", f"Object storage is unavailable: {exc}") from None
