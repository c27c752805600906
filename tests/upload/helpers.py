"""Helpers for upload tests against a running stack: what is stored, and multipart bodies sent as streams."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator

from sqlalchemy import text

from devstack.stack import Stack
from services.common.database import make_engine
from services.upload.settings import UploadSettings

Part = tuple[str, str | None, str | None, bytes]  # name, filename, content type, data


def stored_objects(stack: Stack, org_id: str) -> list[str]:
    """Every object key the organization has in the bucket."""
    assert stack.s3 is not None
    client = stack.s3.client()
    return [o.object_name for o in client.list_objects(stack.s3.bucket, prefix=f"{org_id}/", recursive=True)]


def pending_multipart_uploads(stack: Stack, org_id: str) -> list[str]:
    """Object keys of the organization with a multipart upload started but neither completed nor aborted."""
    assert stack.s3 is not None
    client = stack.s3.client()
    return [u.object_name for u in client._list_multipart_uploads(stack.s3.bucket, prefix=f"{org_id}/").uploads]


def upload_rows(stack: Stack, org_id: str) -> int:
    """Rows of the organization in the Upload service's own table (and its chunks)."""
    settings = UploadSettings.model_validate(stack.service_env())
    engine = make_engine(settings.resolved_database_url())
    try:
        with engine.connect() as conn:
            uploads = conn.execute(
                text("SELECT count(*) FROM uploads WHERE organization_id = :org"), {"org": org_id}
            ).scalar_one()
            chunks = conn.execute(
                text("SELECT count(*) FROM upload_chunks WHERE organization_id = :org"), {"org": org_id}
            ).scalar_one()
    finally:
        engine.dispose()
    return uploads + chunks


def multipart(
    parts: Iterable[Part], *, piece: int = 256 * 1024, on_sent: Callable[[int], None] | None = None
) -> tuple[dict[str, str], Iterator[bytes]]:
    """Headers and a generator producing the multipart/form-data body in pieces (a streaming client).

    `on_sent` is called with the number of body bytes handed over so far, before each piece.
    """
    boundary = f"----trellis-{uuid.uuid4().hex}"
    parts = list(parts)

    def body() -> Iterator[bytes]:
        sent = 0
        for name, filename, content_type, data in parts:
            disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
            head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
            if content_type:
                head += f"Content-Type: {content_type}\r\n"
            yield (head + "\r\n").encode()
            view = memoryview(data)
            for start in range(0, len(data), piece):
                if on_sent is not None:
                    on_sent(sent)
                chunk = bytes(view[start : start + piece])
                sent += len(chunk)
                yield chunk
            yield b"\r\n"
        yield f"--{boundary}--\r\n".encode()

    return {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body()
