"""POST /v1/chats/uploads, GET /v1/chats/{chat_id}/uploads, DELETE /v1/chats/uploads/{id} (docs/api.md).

Against the real stack: SeaweedFS behind the Upload service, the gateway in front.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from services.upload import content_types as ct
from tests.helpers import assert_error, create_chat, post_files
from tests.upload.helpers import multipart, stored_objects, upload_rows
from tests.upload.samples import big_csv, csv_bytes, jpeg_bytes, pdf_bytes, png_bytes, xlsx_bytes
from tests.waiting import wait_until

pytestmark = pytest.mark.storage
MiB = 1024 * 1024


def _assert_nothing_stored(stack, org) -> None:
    assert stored_objects(stack, org.id) == []
    assert upload_rows(stack, org.id) == 0


def test_each_type_round_trips_byte_identical(stack, org) -> None:
    files = {
        "report.pdf": (pdf_bytes(), "application/pdf", ct.PDF, "document"),
        "units.csv": (csv_bytes(50, bom=True), "application/octet-stream", ct.CSV, "document"),  # curl -F's default
        "book.xlsx": (xlsx_bytes(), ct.XLSX, ct.XLSX, "document"),
        "chart.png": (png_bytes(title="Q3"), None, ct.PNG, "image"),  # no declared type at all
        "photo.jpg": (jpeg_bytes(), "image/jpeg", ct.JPEG, "image"),
    }
    with org.client() as http:
        chat = create_chat(http)["id"]
        parts = [("files", name, declared, data) for name, (data, declared, _, _) in files.items()]
        headers, body = multipart([("chat_id", None, None, chat.encode()), *parts])
        resp = http.post("/v1/chats/uploads", content=body, headers=headers)
        assert resp.status_code == 200, resp.text
        answer = resp.json()
        assert answer["chat_id"] == chat and answer["errors"] == []
        uploads = answer["uploads"]
        assert [u["filename"] for u in uploads] == list(files)
        for upload in uploads:
            data, _, mime, kind = files[upload["filename"]]
            assert set(upload) == {
                "id",
                "filename",
                "mime_type",
                "file_size",
                "upload_type",
                "presigned_url",
                "created_at",
                "message_id",
            }
            assert (upload["mime_type"], upload["upload_type"], upload["file_size"]) == (mime, kind, len(data))
            assert upload["message_id"] is None
            query = parse_qs(urlparse(upload["presigned_url"]).query)
            assert query["X-Amz-Expires"] == ["3600"]
            got = httpx.get(upload["presigned_url"])
            assert got.status_code == 200 and got.content == data, upload["filename"]

        # A later read signs anew. Signatures carry the time in whole seconds, so reads within the
        # same second may look alike: list until one does not.
        def signed_anew() -> dict | None:
            listed = http.get(f"/v1/chats/{chat}/uploads").json()
            # every URL: a listing that crosses a second boundary signs its first ones as before
            pairs = zip(listed["uploads"], uploads, strict=True)
            fresh = all(after["presigned_url"] != before["presigned_url"] for after, before in pairs)
            return listed if fresh else None

        listed = wait_until(signed_anew, "a later listing signs its URLs anew", timeout=10, interval=0.2)
        assert listed["chat_id"] == chat
        assert [u["id"] for u in listed["uploads"]] == [u["id"] for u in uploads]
        for before, after in zip(uploads, listed["uploads"], strict=True):
            assert after["presigned_url"] != before["presigned_url"]
            assert httpx.get(after["presigned_url"]).content == files[after["filename"]][0]
    assert len(stored_objects(stack, org.id)) == 5


def test_chat_id_after_the_files_works_too(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
        data = csv_bytes(2000)  # > 64 KiB: staged on the way, then forwarded
        headers, body = multipart([("files", "late.csv", "text/csv", data), ("chat_id", None, None, chat.encode())])
        resp = http.post("/v1/chats/uploads", content=body, headers=headers)
        assert resp.status_code == 200, resp.text
        (upload,) = resp.json()["uploads"]
        assert httpx.get(upload["presigned_url"]).content == data


def test_partial_success_reports_each_refused_file(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
        resp = post_files(
            http,
            chat,
            ("good.csv", csv_bytes(), "text/csv"),
            ("screenshot.pdf", png_bytes(), "application/pdf"),
            ("broken.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "application/pdf"),
            ("broken.xlsx", xlsx_bytes()[:2000], ct.XLSX),
            ("notes.txt", b"plain prose\nwithout any delimiter\n", "text/plain"),
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert [u["filename"] for u in body["uploads"]] == ["good.csv"]
        errors = {e["filename"]: e for e in body["errors"]}
        assert list(errors) == ["screenshot.pdf", "broken.pdf", "broken.xlsx", "notes.txt"]
        assert errors["screenshot.pdf"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
        assert "declared as application/pdf but its content is a PNG image" in errors["screenshot.pdf"]["detail"]
        assert errors["broken.pdf"]["code"] == "INVALID_REQUEST"
        assert "broken.pdf: not a readable PDF" in errors["broken.pdf"]["detail"]
        assert errors["broken.xlsx"]["code"] == "INVALID_REQUEST"
        assert "broken.xlsx: not a readable XLSX workbook" in errors["broken.xlsx"]["detail"]
        assert errors["notes.txt"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
        assert len(http.get(f"/v1/chats/{chat}/uploads").json()["uploads"]) == 1
    assert len(stored_objects(stack, org.id)) == 1  # the refused ones left nothing, even those sent to S3


def test_png_renamed_pdf_is_415(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
        resp = post_files(http, chat, ("invoice.pdf", png_bytes(), "application/pdf"))
        assert_error(resp, 415, "UNSUPPORTED_MEDIA_TYPE")
        # Declared as nothing in particular, the same bytes are simply a PNG.
        resp = post_files(http, chat, ("invoice.pdf", png_bytes(), "application/octet-stream"))
        assert resp.status_code == 200 and resp.json()["uploads"][0]["mime_type"] == "image/png"


def test_malformed_single_files_answer_with_their_error(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
        for name, data, declared in (
            ("broken.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 1000, "application/pdf"),
            ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 5000, ct.XLSX),
        ):
            resp = post_files(http, chat, (name, data, declared))
            assert_error(resp, 400, "INVALID_REQUEST")
            assert resp.json()["detail"].startswith(name + ": not a readable")
    _assert_nothing_stored(stack, org)


def test_six_files_is_413_and_keeps_none_of_them(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
        files = [(f"f{i}.csv", csv_bytes(20), "text/csv") for i in range(6)]
        resp = post_files(http, chat, *files)
        assert_error(resp, 413, "PAYLOAD_TOO_LARGE")
        assert "5 files" in resp.json()["detail"]
        assert http.get(f"/v1/chats/{chat}/uploads").json()["uploads"] == []
        # Five is fine.
        assert post_files(http, chat, *files[:5]).status_code == 200
    assert len(stored_objects(stack, org.id)) == 5


def test_31_mib_is_413_and_nothing_is_stored(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
        headers, body = multipart(
            [("chat_id", None, None, chat.encode()), ("files", "huge.csv", "text/csv", big_csv(31 * MiB))]
        )
        resp = http.post("/v1/chats/uploads", content=body, headers=headers)
        assert_error(resp, 413, "PAYLOAD_TOO_LARGE")
        assert "30 MB" in resp.json()["detail"]
        assert http.get(f"/v1/chats/{chat}/uploads").json()["uploads"] == []
    _assert_nothing_stored(stack, org)


def test_one_byte_over_among_good_files_is_a_per_file_413(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
        headers, body = multipart(
            [
                ("chat_id", None, None, chat.encode()),
                ("files", "over.csv", "text/csv", big_csv(30 * MiB + 1)),
                ("files", "small.csv", "text/csv", csv_bytes()),
            ]
        )
        resp = http.post("/v1/chats/uploads", content=body, headers=headers)
        assert resp.status_code == 200, resp.text
        assert [u["filename"] for u in resp.json()["uploads"]] == ["small.csv"]
        assert [(e["filename"], e["code"]) for e in resp.json()["errors"]] == [("over.csv", "PAYLOAD_TOO_LARGE")]
    assert len(stored_objects(stack, org.id)) == 1


def test_chat_id_is_required_and_must_be_the_callers(stack, org) -> None:
    a_csv = ("a.csv", csv_bytes(), "text/csv")
    files = [("files", a_csv)]
    with org.client("owner@example.com") as owner, org.client("intruder@example.com") as intruder:
        chat = create_chat(owner)["id"]
        for data in ({}, {"chat_id": ""}, {"chat_id": "  "}):
            resp = owner.post("/v1/chats/uploads", data=data, files=files)
            assert_error(resp, 400, "MISSING_CHAT_ID")
        for chat_id in (chat, "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "chat_abc123"):
            resp = post_files(intruder, chat_id, a_csv, a_csv)
            assert_error(resp, 404, "CHAT_NOT_FOUND")
            assert resp.json()["detail"] == "Chat not found"
    _assert_nothing_stored(stack, org)


def test_bad_requests(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
        resp = http.post("/v1/chats/uploads", json={"chat_id": chat})
        assert_error(resp, 400, "INVALID_REQUEST")
        resp = http.post("/v1/chats/uploads", data={"chat_id": chat}, files=[("other", ("a.csv", b"a,b\n1,2\n"))])
        assert resp.status_code == 400 and "files" in resp.json()["detail"]
        headers = {"Content-Type": "multipart/form-data; boundary=xyz"}
        resp = http.post(
            "/v1/chats/uploads",
            content=b'--xyz\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n' + chat.encode(),
            headers=headers,
        )
        assert_error(resp, 400, "INVALID_REQUEST")
        resp = post_files(http, chat, ("a.csv", csv_bytes(), "application/json"))
        assert resp.status_code == 415
        resp = post_files(http, chat, ("empty.csv", b"", "text/csv"))
        assert resp.status_code == 400 and "empty" in resp.json()["detail"]
    resp = httpx.post(f"{stack.gateway_url}/v1/chats/uploads", files=[("files", ("a.csv", csv_bytes()))])
    assert_error(resp, 401, "UNAUTHENTICATED")
    _assert_nothing_stored(stack, org)


def test_delete_removes_object_row_and_index_and_only_for_the_owner(stack, org) -> None:
    with org.client("owner@example.com") as owner, org.client("other@example.com") as other:
        chat = create_chat(owner)["id"]
        resp = post_files(owner, chat, ("a.csv", csv_bytes()))
        upload = resp.json()["uploads"][0]
        assert upload_rows(stack, org.id) == 2  # the row and its one chunk
        for who, upload_id in (
            (other, upload["id"]),
            (owner, "not-a-uuid"),
            (owner, "6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
        ):
            resp = who.delete(f"/v1/chats/uploads/{upload_id}")
            assert_error(resp, 404, "NOT_FOUND")
        assert httpx.get(upload["presigned_url"]).status_code == 200
        resp = owner.delete(f"/v1/chats/uploads/{upload['id']}")
        assert resp.status_code == 200 and resp.json() == {"message": "Upload deleted successfully"}
        assert httpx.get(upload["presigned_url"]).status_code == 404
        assert owner.get(f"/v1/chats/{chat}/uploads").json()["uploads"] == []
        assert owner.delete(f"/v1/chats/uploads/{upload['id']}").status_code == 404
    _assert_nothing_stored(stack, org)


def test_31st_upload_request_in_a_minute_is_429(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
        for _ in range(30):
            # Refused requests count too: the budget is per request.
            assert http.post("/v1/chats/uploads", data={"chat_id": chat}).status_code == 400
        resp = post_files(http, chat, ("a.csv", csv_bytes()))
        assert_error(resp, 429, "RATE_LIMIT")
        retry_after = int(resp.headers["Retry-After"])
        assert 1 <= retry_after <= 60 and resp.json()["retry_after_seconds"] == retry_after
    with org.client() as fresh:  # a new token, a new budget
        assert post_files(fresh, chat, ("a.csv", csv_bytes())).status_code == 200


def test_non_ascii_filenames_survive(stack, org) -> None:
    with org.client() as http:
        chat = create_chat(http)["id"]
        headers, body = multipart(
            [("chat_id", None, None, chat.encode()), ("files", "Umsätze 2024 – Q1.csv", "text/csv", csv_bytes())]
        )
        resp = http.post("/v1/chats/uploads", content=body, headers=headers)
        assert resp.status_code == 200, resp.text
        assert resp.json()["uploads"][0]["filename"] == "Umsätze 2024 – Q1.csv"


def test_a_client_that_goes_away_leaves_nothing(stack, org) -> None:
    import socket
    from urllib.parse import urlparse as parse

    with org.client() as http:
        chat = create_chat(http)["id"]
        token = http.headers["Authorization"]
    headers, body = multipart(
        [
            ("chat_id", None, None, chat.encode()),
            ("files", "first.csv", "text/csv", csv_bytes(50)),  # complete: stored before the client vanishes
            ("files", "second.csv", "text/csv", big_csv(3 * MiB)),
        ]
    )
    url = parse(stack.gateway_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            (
                f"POST /v1/chats/uploads HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: {token}\r\n"
                f"Content-Type: {headers['Content-Type']}\r\nContent-Length: {10 * MiB}\r\n\r\n"
            ).encode()
        )
        sent = 0
        for piece in body:
            sock.sendall(piece)
            sent += len(piece)
            if sent > 2 * MiB:
                break
        # The first file is through; the second one is on its way when the client goes.
        wait_until(lambda: stored_objects(stack, org.id), "the first file is stored")
    wait_until(
        lambda: not stored_objects(stack, org.id) and upload_rows(stack, org.id) == 0,
        "the stored file is deleted again",
        timeout=10,
        interval=0.1,
    )
    _assert_nothing_stored(stack, org)
