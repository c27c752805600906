"""UploadService and UploadInternalService over gRPC: UploadFile, GetUploads, LinkUploads, SearchUploadChunks."""

from __future__ import annotations

import time
from collections.abc import Iterator

import grpc
import httpx
import pytest

from services.common.errors import from_rpc_error
from services.common.gen.trellis.v1 import upload_pb2, upload_pb2_grpc
from services.upload.storage.object_storage import PART_SIZE
from tests.helpers import grpc_metadata
from tests.upload.helpers import pending_multipart_uploads, stored_objects, upload_rows
from tests.upload.samples import big_csv, pdf_bytes
from tests.waiting import wait_until

pytestmark = pytest.mark.storage
MiB = 1024 * 1024
SALES_CSV = (
    "city,product,units\n"
    + "".join(
        f"{city},{product},{n}\n"
        for n, (city, product) in enumerate(
            [("Lisbon", "kettle"), ("Porto", "toaster"), ("Madrid", "kettle"), ("Lisbon", "blender")] * 5
        )
    )
).encode()


def _chunks(data: bytes, size: int = 256 * 1024) -> Iterator[upload_pb2.UploadFileRequest]:
    for start in range(0, len(data), size):
        yield upload_pb2.UploadFileRequest(chunk=data[start : start + size])


def _requests(chat_id: str, filename: str, data: bytes, declared: str = "", size: int = 0):
    header = upload_pb2.UploadHeader(chat_id=chat_id, filename=filename, declared_type=declared, size=size)
    yield upload_pb2.UploadFileRequest(header=header)
    yield from _chunks(data)


def _code(call, *args, **kwargs) -> str:
    with pytest.raises(grpc.RpcError) as info:
        call(*args, **kwargs)
    return from_rpc_error(info.value).code


@pytest.fixture
def uploads(stack, org):
    """A chat of the owner's with a CSV and a PDF uploaded through the gateway."""
    with org.client("owner@example.com") as http:
        chat = http.post("/v1/chats/create").json()["id"]
        resp = http.post(
            "/v1/chats/uploads",
            data={"chat_id": chat},
            files=[
                ("files", ("sales.csv", SALES_CSV, "text/csv")),
                ("files", ("report.pdf", pdf_bytes(["Quarterly revenue grew by 12 percent"]), "application/pdf")),
            ],
        )
        assert resp.status_code == 200, resp.text
        csv_up, pdf_up = resp.json()["uploads"]
    return chat, csv_up["id"], pdf_up["id"]


def test_search_get_and_link(stack, org, other_org, uploads) -> None:
    chat, csv_id, pdf_id = uploads
    owner = grpc_metadata(stack, org.api_key, "owner@example.com")
    colleague = grpc_metadata(stack, org.api_key, "colleague@example.com")
    outsider = grpc_metadata(stack, other_org.api_key, "owner@example.com")
    with grpc.insecure_channel(stack.upload_target) as channel:
        svc = upload_pb2_grpc.UploadInternalServiceStub(channel)

        found = svc.SearchUploadChunks(
            upload_pb2.SearchUploadChunksRequest(chat_id=chat, query="How many units were sold in Lisbon?"),
            metadata=owner,
            timeout=10,
        )
        assert found.chunks and found.chunks[0].upload_id == csv_id and found.chunks[0].filename == "sales.csv"
        assert "Lisbon | kettle" in found.chunks[0].text and found.chunks[0].score > 0
        revenue = svc.SearchUploadChunks(
            upload_pb2.SearchUploadChunksRequest(chat_id=chat, query="revenue growth", limit=1), metadata=owner
        )
        assert [(c.upload_id, c.index) for c in revenue.chunks] == [(pdf_id, 0)]
        assert "Quarterly revenue grew" in revenue.chunks[0].text
        only_pdf = svc.SearchUploadChunks(
            upload_pb2.SearchUploadChunksRequest(chat_id=chat, query="Lisbon kettle", upload_ids=[pdf_id]),
            metadata=owner,
        )
        # Nothing in the PDF matches, but it was named: its opening chunk comes back as context.
        assert [(c.upload_id, c.score) for c in only_pdf.chunks] == [(pdf_id, 0.0)]
        for who in (colleague, outsider):
            none = svc.SearchUploadChunks(
                upload_pb2.SearchUploadChunksRequest(chat_id=chat, query="Lisbon revenue", upload_ids=[csv_id]),
                metadata=who,
            )
            assert list(none.chunks) == []
        assert _code(svc.SearchUploadChunks, upload_pb2.SearchUploadChunksRequest(query="x"), metadata=owner) == (
            "MISSING_CHAT_ID"
        )

        got = svc.GetUploads(upload_pb2.GetUploadsRequest(upload_ids=[pdf_id, "junk", csv_id]), metadata=owner)
        assert [u.id for u in got.uploads] == [pdf_id, csv_id]
        assert httpx.get(got.uploads[1].presigned_url).content == SALES_CSV
        assert list(svc.GetUploads(upload_pb2.GetUploadsRequest(upload_ids=[csv_id]), metadata=colleague).uploads) == []

        link = upload_pb2.LinkUploadsRequest(chat_id=chat, message_id="msg-1", upload_ids=[csv_id, pdf_id])
        for who in (colleague, outsider):
            assert _code(svc.LinkUploads, link, metadata=who) == "NOT_FOUND"
        wrong_chat = upload_pb2.LinkUploadsRequest(chat_id=org.id, message_id="msg-1", upload_ids=[csv_id])
        assert _code(svc.LinkUploads, wrong_chat, metadata=owner) == "NOT_FOUND"
        no_message = upload_pb2.LinkUploadsRequest(chat_id=chat, upload_ids=[csv_id])
        assert _code(svc.LinkUploads, no_message, metadata=owner) == "INVALID_REQUEST"
        linked = svc.LinkUploads(link, metadata=owner)
        assert [(u.id, u.message_id) for u in linked.uploads] == [(csv_id, "msg-1"), (pdf_id, "msg-1")]
        # Sent again with a later message of the chat: accepted, and each keeps its first message.
        again = upload_pb2.LinkUploadsRequest(chat_id=chat, message_id="msg-2", upload_ids=[pdf_id])
        assert [(u.id, u.message_id) for u in svc.LinkUploads(again, metadata=owner).uploads] == [(pdf_id, "msg-1")]

    with org.client("owner@example.com") as http:
        listed = http.get(f"/v1/chats/{chat}/uploads").json()["uploads"]
        assert [u["message_id"] for u in listed] == ["msg-1", "msg-1"]
    with org.client("colleague@example.com") as http:  # and a colleague cannot delete them either
        assert http.delete(f"/v1/chats/uploads/{csv_id}").status_code == 404


def test_upload_file_over_grpc(stack, org) -> None:
    owner = grpc_metadata(stack, org.api_key, "owner@example.com")
    other = grpc_metadata(stack, org.api_key, "other@example.com")
    with org.client("owner@example.com") as http:
        chat = http.post("/v1/chats/create").json()["id"]
    with grpc.insecure_channel(stack.upload_target) as channel:
        svc = upload_pb2_grpc.UploadServiceStub(channel)
        resp = svc.UploadFile(_requests(chat, "dir/sales.csv", SALES_CSV, "text/csv", len(SALES_CSV)), metadata=owner)
        assert resp.upload.filename == "sales.csv" and resp.upload.file_size == len(SALES_CSV)
        assert resp.upload.storage_path.endswith(resp.upload.id)
        assert httpx.get(resp.upload.presigned_url).content == SALES_CSV

        assert _code(svc.UploadFile, _chunks(SALES_CSV), metadata=owner) == "INVALID_REQUEST"  # no header
        two_headers = [
            *_requests(chat, "a.csv", SALES_CSV),
            upload_pb2.UploadFileRequest(header=upload_pb2.UploadHeader()),
        ]
        assert _code(svc.UploadFile, iter(two_headers), metadata=owner) == "INVALID_REQUEST"
        assert _code(svc.UploadFile, _requests("", "a.csv", SALES_CSV), metadata=owner) == "MISSING_CHAT_ID"
        assert _code(svc.UploadFile, _requests(chat, "a.csv", SALES_CSV), metadata=other) == "CHAT_NOT_FOUND"
        too_big = _requests(chat, "a.csv", SALES_CSV, size=30 * MiB + 1)
        assert _code(svc.UploadFile, too_big, metadata=owner) == "PAYLOAD_TOO_LARGE"
        assert _code(svc.UploadFile, _requests(chat, "a.csv", SALES_CSV, "application/json"), metadata=owner) == (
            "UNSUPPORTED_MEDIA_TYPE"
        )
        # Without the gateway in front, the service counts the bytes itself.
        data = big_csv(30 * MiB + 1)
        assert _code(svc.UploadFile, _requests(chat, "big.csv", data), metadata=owner, timeout=60) == (
            "PAYLOAD_TOO_LARGE"
        )
    assert len(stored_objects(stack, org.id)) == 1 and upload_rows(stack, org.id) == 2


def test_a_cancelled_stream_leaves_nothing_behind(stack, org) -> None:
    owner = grpc_metadata(stack, org.api_key, "owner@example.com")
    with org.client("owner@example.com") as http:
        chat = http.post("/v1/chats/create").json()["id"]
    data = big_csv(12 * MiB)
    staging = stack.data_dir / "tmp" / "uploads"

    def requests() -> Iterator[upload_pb2.UploadFileRequest]:
        header = upload_pb2.UploadHeader(chat_id=chat, filename="gone.csv")
        yield upload_pb2.UploadFileRequest(header=header)
        yield from _chunks(data[: 7 * MiB])  # past the first 5 MiB part: a multipart upload
        time.sleep(30)  # the rest never comes

    def staged_bytes() -> int:
        return sum(path.stat().st_size for path in staging.glob("*.part"))

    with grpc.insecure_channel(stack.upload_target) as channel:
        svc = upload_pb2_grpc.UploadServiceStub(channel)
        future = svc.UploadFile.future(requests(), metadata=owner, timeout=60)
        # Cancel only once there is something to leave behind: a staged file past the first part
        # and its multipart upload begun in storage.
        wait_until(lambda: staged_bytes() > PART_SIZE, "more than one part is staged")
        wait_until(lambda: pending_multipart_uploads(stack, org.id) != [], "a multipart upload is in progress")
        assert future.cancel(), "the call ended before it was cancelled"
    wait_until(lambda: not list(staging.glob("*.part")), "the staged copy is removed", timeout=10)
    wait_until(lambda: pending_multipart_uploads(stack, org.id) == [], "the multipart upload is aborted", timeout=10)
    assert stored_objects(stack, org.id) == [] and upload_rows(stack, org.id) == 0
