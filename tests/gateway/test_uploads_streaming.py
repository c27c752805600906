"""Uploads stream end to end: bounded memory whatever the file size, and a storage outage mid-upload.

A stack of its own: the memory figures are taken on fresh processes, and SeaweedFS is stopped
and started again here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from devstack.measure import PeakRss
from tests.conftest import make_org, start_stack
from tests.helpers import assert_error, create_chat
from tests.upload.helpers import multipart, stored_objects, upload_rows
from tests.upload.samples import big_csv, csv_bytes

pytestmark = pytest.mark.storage
MiB = 1024 * 1024
# Holding a 30 MiB file whole would add at least 30 MiB (and in practice a multiple, with copies).
# What streaming costs: a few chunks, one 5 MiB S3 part, gRPC flow-control buffers (measured: 8–16 MiB).
RSS_GROWTH_BOUND = 24 * MiB


@pytest.fixture(scope="module")
def own_stack(request, tmp_path_factory) -> Iterator:
    yield from start_stack(request, tmp_path_factory.mktemp("uploads-streaming"))


def _upload(http: httpx.Client, chat: str, name: str, data: bytes) -> httpx.Response:
    headers, body = multipart([("chat_id", None, None, chat.encode()), ("files", name, "text/csv", data)])
    return http.post("/v1/chats/uploads", content=body, headers=headers, timeout=120)


def test_memory_does_not_grow_with_file_size(own_stack) -> None:
    org = make_org(own_stack)
    pids = {name: own_stack.procs[name].proc.pid for name in ("gateway", "upload")}
    small, large = big_csv(1 * MiB), big_csv(30 * MiB)
    peaks = {}
    with org.client() as http:
        chat = create_chat(http)["id"]
        assert _upload(http, chat, "warm-up.csv", csv_bytes()).status_code == 200  # imports, pools, first chunks
        for label, data in (("1 MiB", small), ("30 MiB", large)):
            with PeakRss(pids, interval=0.003) as rss:
                resp = _upload(http, chat, f"{label}.csv", data)
            assert resp.status_code == 200, resp.text
            assert httpx.get(resp.json()["uploads"][0]["presigned_url"]).content == data
            peaks[label] = dict(rss.peak)
    report = {
        name: f"peak {peaks['1 MiB'][name] / MiB:.1f} MiB with 1 MiB, {peaks['30 MiB'][name] / MiB:.1f} MiB with 30 MiB"
        for name in pids
    }
    print(f"\npeak RSS: {report}")
    for name in pids:
        growth = peaks["30 MiB"][name] - peaks["1 MiB"][name]
        assert growth < RSS_GROWTH_BOUND, f"{name}: {report[name]}"


def test_storage_stopped_mid_upload_is_503_and_keeps_nothing(own_stack) -> None:
    s3 = own_stack.s3
    org = make_org(own_stack)
    stopped = threading.Event()

    def stop_s3_midway(sent: int) -> None:
        # After a first 5 MiB part is in S3 and while more is on its way, S3 goes away.
        if sent >= 7 * MiB and not stopped.is_set():
            stopped.set()
            s3.stop()

    try:
        with org.client() as http:
            chat = create_chat(http)["id"]
            headers, body = multipart(
                [("chat_id", None, None, chat.encode()), ("files", "cut.csv", "text/csv", big_csv(12 * MiB))],
                on_sent=stop_s3_midway,
            )
            resp = http.post("/v1/chats/uploads", content=body, headers=headers, timeout=120)
            assert stopped.is_set()
            assert_error(resp, 503, "STORAGE_UNAVAILABLE")
            assert resp.headers["Retry-After"] and resp.json()["retry_after_seconds"] >= 1
            assert http.get(f"/v1/chats/{chat}/uploads").json()["uploads"] == []
            assert upload_rows(own_stack, org.id) == 0
    finally:
        s3.start()
    assert stored_objects(own_stack, org.id) == []
    with org.client() as http:
        resp = _upload(http, chat, "after.csv", csv_bytes(100))
        assert resp.status_code == 200, resp.text
        assert httpx.get(resp.json()["uploads"][0]["presigned_url"]).content == csv_bytes(100)
    assert len(stored_objects(own_stack, org.id)) == 1
