"""S3-compatible object storage through the minio client (SeaweedFS locally, MinIO in Kubernetes)."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import urllib3
from minio import Minio
from minio.commonconfig import CopySource
from minio.datatypes import Part
from minio.error import MinioException
from minio.helpers import DictType

from services.common.errors import ApiError
from services.common.observability.metrics import S3_ERRORS

log = logging.getLogger(__name__)
PRESIGN_EXPIRY = timedelta(hours=1)
# S3's smallest multipart part; the upload thread holds one part at a time, whatever the file size.
PART_SIZE = 5 * 1024 * 1024
STORAGE_ERRORS = (MinioException, urllib3.exceptions.HTTPError, OSError)


def storage_error(exc: BaseException, operation: str = "request") -> ApiError:
    S3_ERRORS.labels(operation).inc()
    return ApiError("STORAGE_UNAVAILABLE", f"Object storage is unavailable: {exc}")


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
        # Signing is local (no request to S3): a fresh one-hour URL on every read costs nothing.
        try:
            return self.client.presigned_get_object(self.bucket, key, expires=PRESIGN_EXPIRY)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise storage_error(exc, "presign") from None

    def download(self, key: str, path: Path) -> None:
        """Copy an object to a local file (streamed by the client, never whole in memory)."""
        try:
            self.client.fget_object(self.bucket, key, str(path))
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise storage_error(exc, "download") from None

    def copy(self, source_key: str, key: str) -> None:
        """A server-side copy inside the bucket: the bytes never leave the object storage."""
        try:
            self.client.copy_object(self.bucket, key, CopySource(self.bucket, source_key))
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise storage_error(exc, "copy") from None

    def remove(self, key: str) -> None:
        try:
            self.client.remove_object(self.bucket, key)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise storage_error(exc, "remove") from None


class _AbortedError(Exception):
    """Raised in the upload thread when the event loop gave up on the upload."""


class StreamingPut:
    """One object written to S3 while its bytes still arrive.

    `write` appends each chunk to `tee`, the staged file the parsers read afterwards (in a worker
    thread, so the event loop never waits on the disk). A thread of its own follows the file: as
    soon as a PART_SIZE part is complete there, it reads it back and sends it as one part of an
    S3 multipart upload; a file smaller than one part becomes a single PUT at the end. The
    receiver therefore keeps pace with the network whatever S3 does (a slower S3 only makes the
    upload trail behind on disk), and this holds at most one part in memory, whatever the size.

    minio's public `put_object` also streams an unknown length, but assembles every part by
    repeated concatenation (three copies of a part alive at once); the multipart calls used
    here are the ones it uses itself (minio 7.2).

    `abort` stops the thread, which then aborts the multipart upload: no object appears.
    """

    def __init__(self, storage: ObjectStorage, key: str, content_type: str, tee: BinaryIO) -> None:
        self._storage = storage
        self.key = key
        self._content_type = content_type
        self._tee = tee
        # The thread reads parts through a descriptor of its own: the caller may close `tee` (when
        # it gives up) while a part is still being read, and the number could then be reused.
        self._fd = os.dup(tee.fileno())
        self._loop = asyncio.get_running_loop()
        self._state = threading.Condition()
        self._written = 0  # bytes in tee (guarded by _state)
        self._eof = False
        self._aborted = False
        self.done: asyncio.Future[None] = self._loop.create_future()
        self._thread = threading.Thread(target=self._run, name=f"s3-put-{key[-12:]}", daemon=True)
        self._thread.start()

    # --- event loop side ------------------------------------------------------------------

    async def write(self, data: bytes) -> None:
        if self.done.done():
            self._raise_outcome()
        await asyncio.to_thread(self._append, data)

    async def finish(self) -> None:
        """Signal the end of the data and wait until the object is complete in storage."""
        if self.done.done():
            self._raise_outcome()
        with self._state:
            self._eof = True
            self._state.notify_all()
        try:
            await asyncio.shield(self.done)
        except BaseException:
            if not self.done.done():  # this call was cancelled, not the upload
                raise
        self._raise_outcome()  # a storage failure as STORAGE_UNAVAILABLE, not the client's raw error

    async def completed(self) -> bool:
        """Wait for the upload thread to end; True when it left a complete object behind."""
        await asyncio.wait({self.done})
        return self.done.exception() is None

    def abort(self) -> None:
        """Stop the upload (no object is left behind); safe to call at any time, more than once."""
        with self._state:
            self._aborted = True
            self._state.notify_all()

    def _append(self, data: bytes) -> None:
        self._tee.write(data)
        self._tee.flush()
        with self._state:
            self._written += len(data)
            self._state.notify_all()

    def _raise_outcome(self) -> None:
        exc = self.done.exception()
        if exc is None:
            return
        if isinstance(exc, _AbortedError):
            raise ApiError("INTERNAL", "The upload was aborted")
        raise storage_error(exc, "put")

    def _settle(self, exc: BaseException | None) -> None:
        if self.done.done():
            return
        if exc is None:
            self.done.set_result(None)
        else:
            self.done.set_exception(exc)
            self.done.exception()  # retrieved: an abandoned upload must not log "never retrieved"

    # --- upload thread side ---------------------------------------------------------------

    def _wait_for(self, sent: int) -> tuple[int, bool]:
        """Block until a whole part past `sent` is staged, or the end; returns (written, eof)."""
        with self._state:
            while not self._aborted and not self._eof and self._written - sent < PART_SIZE:
                self._state.wait()
            if self._aborted:
                raise _AbortedError
            return self._written, self._eof

    def _read_back(self, offset: int, size: int) -> bytes:
        return os.pread(self._fd, size, offset)

    def _upload(self) -> None:
        client, bucket = self._storage.client, self._storage.bucket
        headers: DictType = {"Content-Type": self._content_type}
        sent = 0
        upload_id: str | None = None
        parts: list[Part] = []
        try:
            while True:
                written, eof = self._wait_for(sent)
                if eof and upload_id is None and written - sent <= PART_SIZE:
                    # Smaller than a part (or exactly one): a single PUT.
                    client._put_object(bucket, self.key, self._read_back(0, written), headers)
                    return
                if written - sent >= PART_SIZE or (eof and written > sent):
                    size = PART_SIZE if written - sent >= PART_SIZE else written - sent
                    if upload_id is None:
                        upload_id = client._create_multipart_upload(bucket, self.key, dict(headers))
                    etag = client._upload_part(
                        bucket, self.key, self._read_back(sent, size), None, upload_id, len(parts) + 1
                    )
                    parts.append(Part(len(parts) + 1, etag))
                    sent += size
                    continue
                if eof:
                    assert upload_id is not None
                    client._complete_multipart_upload(bucket, self.key, upload_id, parts)
                    return
        except BaseException:
            if upload_id is not None:
                try:
                    client._abort_multipart_upload(bucket, self.key, upload_id)
                except STORAGE_ERRORS as exc:
                    log.warning("could not abort the multipart upload of %s: %s", self.key, exc)
            raise

    def _run(self) -> None:
        outcome: BaseException | None = None
        try:
            self._upload()
        except BaseException as exc:  # noqa: BLE001 - handed to the event loop
            outcome = exc
        finally:
            os.close(self._fd)
        try:
            self._loop.call_soon_threadsafe(self._settle, outcome)
        except RuntimeError:  # the loop is gone (shutdown): nobody is waiting
            pass
