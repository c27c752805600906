"""Upload throughput through the gateway vs a direct minio put_object of the same bytes, and peak RSS.

    .venv/bin/python bench/upload_throughput.py [--size-mib 30] [--runs 3]

Starts its own stack (SeaweedFS, Chat, Upload, gateway) in a temporary directory, uploads the
same CSV file (valid, so it is parsed and indexed like a real one) through
POST /v1/chats/uploads and straight into the bucket with minio, and prints both side by side with
the peak resident memory of each process while the uploads ran. Nothing is asserted: numbers
depend on the machine. Everything stays on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

from devstack.measure import PeakRss, rss
from devstack.stack import Stack, StackConfig
from services.chat.settings import ChatSettings
from services.chat.storage.stores import opened_stores

MiB = 1024 * 1024


def csv_file(size: int) -> bytes:
    """A valid CSV of exactly `size` bytes."""
    out = io.BytesIO()
    out.write(b"id,code,note\n")
    i = 0
    while out.tell() < size:
        out.write(f"{i},{os.urandom(8).hex()},{'x' * 60}\n".encode())
        i += 1
    data = out.getvalue()[:size]
    cut = data.rfind(b"\n") + 1
    return data[:cut] + b"0,pad," + b"y" * max(0, size - cut - 7) + b"\n" if cut < size else data


def pdf_file(size: int) -> bytes:
    """A valid one-page PDF of exactly `size` bytes: a line of text plus an embedded binary stream."""

    def build(padding: int) -> bytes:
        content = b"BT /F1 12 Tf 72 720 Td (Throughput benchmark) Tj ET"
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (padding, os.urandom(padding)),  # an attachment-like blob
        ]
        out = io.BytesIO()
        out.write(b"%PDF-1.4\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        for offset in offsets:
            out.write(b"%010d 00000 n \n" % offset)
        out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
        return out.getvalue()

    overhead = len(build(0))
    data = build(size - overhead)
    return data if len(data) == size else build(size - overhead - (len(data) - size))


def multipart(
    chat_id: str, name: str, mime: str, data: bytes, piece: int = 256 * 1024
) -> tuple[dict[str, str], Iterator[bytes]]:
    boundary = f"----bench-{uuid.uuid4().hex}"

    def body() -> Iterator[bytes]:
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n{chat_id}\r\n'.encode()
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: {mime}\r\n\r\n"
        ).encode()
        view = memoryview(data)
        for start in range(0, len(data), piece):
            yield bytes(view[start : start + piece])
        yield f"\r\n--{boundary}--\r\n".encode()

    return {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=float, default=30.0, help="file size (at most 30)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    size = int(min(args.size_mib, 30) * MiB)
    # A CSV is checked row by row and indexed; the PDF's bulk is a blob pypdf never decodes, so its
    # row shows the streaming path itself.
    files = {"CSV": ("bench.csv", "text/csv", csv_file(size)), "PDF": ("bench.pdf", "application/pdf", pdf_file(size))}

    with (
        tempfile.TemporaryDirectory(prefix="upload-bench-") as tmp,
        Stack(StackConfig(data_dir=Path(tmp), quiet=True)) as stack,
    ):
        settings = ChatSettings.model_validate(stack.service_env())
        with opened_stores(settings.resolved_database_url()) as stores:
            org = stores.organizations.create_organization("Bench")
            _, api_key = stores.organizations.create_api_key(org.id, "bench")
        token = httpx.post(
            f"{stack.gateway_url}/v1/authenticate", headers={"X-API-Key": api_key}, json={"email": "bench@example.com"}
        ).json()["token"]
        assert stack.s3 is not None
        pids = {name: proc.proc.pid for name, proc in stack.procs.items() if proc.proc is not None}
        if stack.s3.pid is not None:
            pids["seaweedfs"] = stack.s3.pid
        pids["bench client"] = os.getpid()
        minio = stack.s3.client()

        times: dict[str, list[float]] = {}
        peaks: dict[str, dict[str, int]] = {}
        with httpx.Client(base_url=stack.gateway_url, headers={"Authorization": f"Bearer {token}"}) as http:
            chat = http.post("/v1/chats/create").json()["id"]
            headers, body = multipart(chat, "warm-up.csv", "text/csv", b"a,b\n1,2\n")
            http.post("/v1/chats/uploads", content=body, headers=headers, timeout=120)  # imports, pools
            minio.put_object(stack.s3.bucket, "bench/warm-up", io.BytesIO(b"x"), 1)
            idle = {name: rss(pid) for name, pid in pids.items()}
            for kind, (name, mime, data) in files.items():
                label = f"{kind} via gateway"
                times[label] = []
                with PeakRss(pids) as peak:
                    for _ in range(args.runs):
                        headers, body = multipart(chat, name, mime, data)
                        began = time.perf_counter()
                        resp = http.post("/v1/chats/uploads", content=body, headers=headers, timeout=300)
                        times[label].append(time.perf_counter() - began)
                        if resp.status_code != 200:
                            raise SystemExit(f"upload failed: {resp.status_code} {resp.text}")
                peaks[label] = peak.peak
                label = f"{kind} direct put_object"
                times[label] = []
                with PeakRss(pids) as peak:
                    for run in range(args.runs):
                        began = time.perf_counter()
                        minio.put_object(
                            stack.s3.bucket, f"bench/{run}-{name}", io.BytesIO(data), len(data), part_size=5 * MiB
                        )
                        times[label].append(time.perf_counter() - began)
                peaks[label] = peak.peak

    def rate(samples: list[float]) -> str:
        median = statistics.median(samples)
        return (
            f"{size / MiB / median:6.1f} MiB/s ({median * 1000:5.0f} ms median, {size / MiB / min(samples):6.1f} best)"
        )

    print(
        f"\n{size / MiB:.1f} MiB files, {args.runs} runs each; gateway = POST /v1/chats/uploads, answered once stored,"
    )
    print("parsed and indexed; direct = minio put_object of the same bytes from this process\n")
    for kind in files:
        gateway, direct = times[f"{kind} via gateway"], times[f"{kind} direct put_object"]
        print(f"{kind}  gateway {rate(gateway)}   |   direct {rate(direct)}")
    labels = list(peaks)
    print(f"\npeak RSS (MiB) {'idle':>7} " + " ".join(f"{label:>22}" for label in labels))
    for name in pids:
        cells = " ".join(f"{peaks[label][name] / MiB:>22.1f}" for label in labels)
        print(f"{name:<14} {idle[name] / MiB:>7.1f} {cells}")
    print("(the bench client holds each file itself)")


if __name__ == "__main__":
    main()
