"""Upload service entrypoint: `python -m services.upload.server`."""

from __future__ import annotations

import asyncio
import ctypes

import grpc

from services.common.database import make_engine, migrate, run_sync, wait_for_schema
from services.common.gen.trellis.v1 import auth_pb2_grpc, upload_pb2, upload_pb2_grpc
from services.common.grpc_server import configure_logging, serve
from services.common.token_checks import CachedTokenCheck
from services.upload.api.upload import UploadInternalServicer, UploadServicer
from services.upload.clients.chat import ChatAccess, TokenLiveness
from services.upload.clients.vision import VisionCaptioner
from services.upload.ingest import Ingest
from services.upload.migrate import MIGRATIONS, VERSION_TABLE
from services.upload.settings import UploadSettings
from services.upload.storage.object_storage import ObjectStorage
from services.upload.storage.upload_store import UploadStore


def release_large_buffers() -> None:
    """Return multi-MiB buffers (S3 parts, staged chunks) to the OS as soon as they are freed.

    glibc raises its mmap threshold each time a large block is freed, after which blocks of S3-part
    size come from the heap and stay resident: memory would then follow the largest upload seen.
    Pinning the threshold keeps the service's footprint flat whatever the file size.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to tune
        return
    m_mmap_threshold = -3
    libc.mallopt(m_mmap_threshold, 256 * 1024)


async def main() -> None:
    release_large_buffers()
    settings = UploadSettings()
    configure_logging(settings.log_level, "upload", settings.log_format)
    url = settings.resolved_database_url()
    if settings.migrate_on_start:
        migrate(url, MIGRATIONS, VERSION_TABLE)
    else:  # a migration job owns the schema: wait for it, never race it
        await run_sync(wait_for_schema, url, MIGRATIONS, VERSION_TABLE, settings.schema_wait)
    store = UploadStore(make_engine(url))
    access, secret_key = settings.resolved_s3_credentials()
    storage = ObjectStorage(
        settings.s3_endpoint,
        access,
        secret_key,
        settings.s3_bucket,
        secure=settings.s3_secure,
        region=settings.s3_region,
    )
    await asyncio.to_thread(storage.ensure_bucket)
    tmp_dir = settings.resolved_tmp_dir()
    for stale in tmp_dir.glob("*.part"):  # staged by a process that died mid-upload
        stale.unlink(missing_ok=True)
    chat_channel = grpc.aio.insecure_channel(settings.chat_target)
    jwt_secret = settings.resolved_jwt_secret()

    captioner = (
        VisionCaptioner(
            settings.openai_base_url,
            settings.openai_api_key,
            settings.vision_model,
            timeout=settings.vision_timeout,
            max_bytes=settings.vision_max_bytes,
        )
        if settings.vision_model
        else None
    )

    def register(server: grpc.aio.Server) -> list[str]:
        chats = ChatAccess(chat_channel, settings.rpc_deadline)
        ingest = Ingest(store, storage, chats, settings.max_file_bytes, tmp_dir, captioner)
        upload_pb2_grpc.add_UploadServiceServicer_to_server(UploadServicer(store, storage, chats, ingest), server)
        upload_pb2_grpc.add_UploadInternalServiceServicer_to_server(
            UploadInternalServicer(store, storage, chats, tmp_dir, ingest, jwt_secret), server
        )
        services = upload_pb2.DESCRIPTOR.services_by_name
        return [services["UploadService"].full_name, services["UploadInternalService"].full_name]

    async def close() -> None:
        await chat_channel.close()
        store.engine.dispose()

    await serve(
        "upload",
        settings.address,
        register,
        jwt_secret=jwt_secret,
        public_methods=set(),
        shutdown_grace=settings.shutdown_grace,
        on_shutdown=close,
        metrics_address=(settings.metrics_host, settings.metrics_port),
        token_check=CachedTokenCheck(
            TokenLiveness(auth_pb2_grpc.AuthServiceStub(chat_channel), settings.rpc_deadline), settings.token_check_ttl
        ),
    )


if __name__ == "__main__":
    asyncio.run(main())
