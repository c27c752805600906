"""A project deleted while a document upload for it is in flight: the upload is refused (404) and
leaves nothing behind, neither an object in storage nor a row in the Upload service's tables."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.gateway.test_projects import PRODUCTS_CSV, admin_client, create_project
from tests.helpers import assert_error, bearer, token_of
from tests.upload.helpers import multipart, pending_multipart_uploads, stored_objects, upload_rows

pytestmark = pytest.mark.storage


def test_a_document_in_flight_does_not_outlive_its_deleted_project(stack, org) -> None:
    with admin_client(stack, org) as admin:
        project = create_project(admin)
        rows = PRODUCTS_CSV.splitlines(keepends=True)
        data = rows[0] + b"".join(rows[1:]) * 4000  # ~150 KB: several pieces of the body
        held, release = threading.Event(), threading.Event()

        def hold(sent: int) -> None:
            if sent >= 64 * 1024 and not held.is_set():  # the header went through; the rest waits
                held.set()
                release.wait(60)

        headers, body = multipart([("files", "late.csv", "text/csv", data)], piece=32 * 1024, on_sent=hold)
        url = f"{stack.gateway_url}/v1/projects/{project['id']}/documents"
        staged = stack.data_dir / "tmp" / "uploads"
        with ThreadPoolExecutor(1) as pool:
            upload = pool.submit(
                httpx.post, url, headers={**headers, **bearer(token_of(admin))}, content=body, timeout=60
            )
            assert held.wait(30)
            deadline = time.monotonic() + 30  # the Upload service has checked the project: it stages the file
            while not any(staged.glob("*.part")) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert any(staged.glob("*.part"))
            gone = admin.delete(f"/v1/projects/{project['id']}")
            assert gone.status_code == 200, gone.text
            release.set()
            answer = upload.result(timeout=60)

        refusal = assert_error(answer, 404, "NOT_FOUND")
        assert "Project not found" in refusal["detail"]
        assert stored_objects(stack, org.id) == []
        assert pending_multipart_uploads(stack, org.id) == []
        assert upload_rows(stack, org.id) == 0
        assert_error(admin.get(f"/v1/projects/{project['id']}"), 404, "NOT_FOUND")
