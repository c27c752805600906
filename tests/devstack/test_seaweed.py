"""devstack.seaweed against real `weed mini` processes."""

from __future__ import annotations

import io
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from minio import Minio
from minio.error import S3Error
from urllib3 import PoolManager
from urllib3.exceptions import HTTPError

from devstack.ports import free_port, wait_for_port
from devstack.seaweed import SeaweedS3
from tests.waiting import wait_until

ACCESS_KEY = "devstack-test"
SECRET_KEY = "devstack-test-secret-0123456789"
# SeaweedFS's default ports (S3, master, filer, volume, admin, WebDAV, Iceberg, Lance, gRPC = +10000).
DEFAULT_PORTS = {8333, 9333, 8888, 9340, 23646, 7333, 8181, 9101, 18333, 19333, 18888, 19340, 33646}


def make(data_dir: Path, bucket: str = "test-bucket", s3_port: int | None = None) -> SeaweedS3:
    return SeaweedS3(data_dir=data_dir, access_key=ACCESS_KEY, secret_key=SECRET_KEY, bucket=bucket, s3_port=s3_port)


def put(client: Minio, bucket: str, key: str, data: bytes, **kwargs: int) -> None:
    client.put_object(bucket, key, io.BytesIO(data), len(data), **kwargs)


def get(client: Minio, bucket: str, key: str) -> bytes:
    resp = client.get_object(bucket, key)
    try:
        return resp.read()
    finally:
        resp.close()
        resp.release_conn()


def listening_tcp(pid: int) -> set[tuple[str, int]]:
    """(ip, port) of the TCP sockets process `pid` listens on, read from /proc (IPv4 and IPv6)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                ip_hex, port_hex = local.split(":")
                ip = socket.inet_ntoa(bytes.fromhex(ip_hex)[::-1]) if len(ip_hex) == 8 else ip_hex
                found.add((ip, int(port_hex, 16)))
    return found


@pytest.fixture
def s3(tmp_path: Path) -> Iterator[SeaweedS3]:
    with make(tmp_path / "seaweedfs") as server:
        yield server
    assert not server.running


def test_put_and_get_back_byte_identical(s3: SeaweedS3) -> None:
    client = s3.client()
    small = os.urandom(3 * 1024 * 1024 + 17)
    put(client, s3.bucket, "dir/small.bin", small)
    assert get(client, s3.bucket, "dir/small.bin") == small
    # Big enough for a multipart upload and for several 4 MB filer chunks.
    big = os.urandom(11 * 1024 * 1024 + 5)
    put(client, s3.bucket, "dir/big.bin", big, part_size=5 * 1024 * 1024)
    assert get(client, s3.bucket, "dir/big.bin") == big
    assert sorted(o.object_name for o in client.list_objects(s3.bucket, prefix="dir/")) == [
        "dir/big.bin",
        "dir/small.bin",
    ]


def test_wrong_or_missing_credentials_are_refused(s3: SeaweedS3) -> None:
    put(s3.client(), s3.bucket, "secret.txt", b"top secret")
    for access, secret in [(ACCESS_KEY, "not-the-secret-key"), ("unknown-access-key", SECRET_KEY)]:
        intruder = Minio(s3.endpoint, access_key=access, secret_key=secret, secure=False, region="us-east-1")
        with pytest.raises(S3Error) as refused:
            intruder.get_object(s3.bucket, "secret.txt")
        assert refused.value.code in {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied"}
        with pytest.raises(S3Error):
            put(intruder, s3.bucket, "planted.txt", b"x")
    anonymous = Minio(s3.endpoint, secure=False, region="us-east-1")
    with pytest.raises(S3Error) as refused:
        anonymous.get_object(s3.bucket, "secret.txt")
    assert refused.value.code == "AccessDenied"
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(f"http://{s3.endpoint}/{s3.bucket}/secret.txt", timeout=5)
    assert unsigned.value.code == 403
    assert [o.object_name for o in s3.client().list_objects(s3.bucket)] == ["secret.txt"]


def test_two_instances_side_by_side(tmp_path: Path) -> None:
    with make(tmp_path / "a", bucket="bucket-a") as a, make(tmp_path / "b", bucket="bucket-b") as b:
        assert a.endpoint != b.endpoint
        assert not set(a.ports.values()) & set(b.ports.values())
        put(a.client(), "bucket-a", "k", b"from a")
        put(b.client(), "bucket-b", "k", b"from b")
        assert get(a.client(), "bucket-a", "k") == b"from a"
        assert get(b.client(), "bucket-b", "k") == b"from b"
        assert not a.client().bucket_exists("bucket-b")
        assert not b.client().bucket_exists("bucket-a")
        for server in (a, b):
            assert server.pid is not None
            listening = listening_tcp(server.pid)
            # Every listener is one of the ports we chose (WebDAV's is reserved but disabled), on loopback only.
            assert {ip for ip, _ in listening} == {"127.0.0.1"}
            expected = {p for flag, p in server.ports.items() if flag != "webdav.port"}
            assert {port for _, port in listening} == expected
            assert not expected & DEFAULT_PORTS
    assert not a.running and not b.running


def test_stop_and_restart_keeps_objects(tmp_path: Path) -> None:
    data = os.urandom(2 * 1024 * 1024)
    server = make(tmp_path / "seaweedfs")
    with server:
        put(server.client(), server.bucket, "kept.bin", data)
        endpoint = server.endpoint
        server.stop()
        assert not server.running
        server.stop()  # idempotent
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
        server.start()
        assert server.endpoint == endpoint
        assert get(server.client(), server.bucket, "kept.bin") == data
    # A new object on the same data_dir and port, as a fresh run of the stack would do.
    with make(tmp_path / "seaweedfs", s3_port=server.port) as again:
        assert again.endpoint == endpoint
        assert get(again.client(), again.bucket, "kept.bin") == data
        put(again.client(), again.bucket, "second.bin", b"second")
    with make(tmp_path / "seaweedfs") as third:  # other ports, same data
        assert get(third.client(), third.bucket, "kept.bin") == data
        assert get(third.client(), third.bucket, "second.bin") == b"second"


def test_stop_falls_back_to_sigkill_and_cleans_tmp_sockets(s3: SeaweedS3) -> None:
    put(s3.client(), s3.bucket, "survivor.txt", b"still here")
    sockets = [Path(f"/tmp/seaweedfs-{name}-grpc-{s3.ports[f'{name}.port.grpc']}.sock") for name in ("master", "filer")]
    assert all(path.is_socket() for path in sockets)
    assert s3.pid is not None
    os.kill(s3.pid, signal.SIGSTOP)  # a stopped process ignores SIGTERM until continued
    s3.stop(timeout=1)
    assert not s3.running
    assert not any(path.exists() for path in sockets)
    s3.start()
    assert get(s3.client(), s3.bucket, "survivor.txt") == b"still here"


class SlowStream:
    """Random bytes handed out slowly, so that an upload is still running when the server stops."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.handed_out = 0

    def read(self, size: int = -1) -> bytes:
        n = min(self.left, 256 * 1024 if size < 0 else size, 256 * 1024)
        self.left -= n
        time.sleep(0.02)  # the slowness is the scenario: about 12 MiB/s
        self.handed_out += n
        return os.urandom(n)


def test_stop_during_upload_then_restart(s3: SeaweedS3) -> None:
    size, part = 60 * 1024 * 1024, 5 * 1024 * 1024
    stream = SlowStream(size)
    failure: list[Exception] = []

    # Without urllib3's retries (about 6 s of backoff per call) the failed upload gives up at once.
    client = Minio(
        s3.endpoint, ACCESS_KEY, SECRET_KEY, secure=False, region="us-east-1", http_client=PoolManager(retries=False)
    )

    def upload() -> None:
        try:
            client.put_object(s3.bucket, "interrupted.bin", stream, size, part_size=part)
        except (S3Error, HTTPError, OSError) as exc:  # whichever way the connection broke
            failure.append(exc)

    worker = threading.Thread(target=upload)
    worker.start()
    wait_until(lambda: stream.handed_out > 2 * part, "a part or two are on their way, with more to come")
    s3.stop()
    worker.join(60)
    assert not worker.is_alive()
    assert failure, "the upload should have failed when the server went away"
    s3.start()
    fresh = s3.client()
    with pytest.raises(S3Error) as missing:
        fresh.stat_object(s3.bucket, "interrupted.bin")
    assert missing.value.code == "NoSuchKey"
    put(fresh, s3.bucket, "after.bin", b"works again")
    assert get(fresh, s3.bucket, "after.bin") == b"works again"


def test_port_taken_reports_log_tail(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        server = make(tmp_path / "seaweedfs", s3_port=squatter.getsockname()[1])
        with pytest.raises(RuntimeError, match=r"exited with code 1[\s\S]*not available"):
            server.start(timeout=30)
    assert not server.running


def test_wait_for_port() -> None:
    port = free_port()
    with pytest.raises(TimeoutError, match=f"127.0.0.1:{port}"):
        wait_for_port("127.0.0.1", port, timeout=0.3)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        wait_for_port("127.0.0.1", port, timeout=5)
