"""The whole system as real local processes: SeaweedFS, Chat, Upload, the gateway, and Envoy when asked.

Used by the run command (devstack.run) and by the test suite, so that tests exercise
exactly what a user starts. Extra replicas of a service (start_replica) share its database
and Redis, as replicas in Kubernetes do.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from devstack.envoy import Envoy
from devstack.ports import free_port
from devstack.procs import ManagedProcess
from devstack.seaweed import SeaweedS3
from services.common.secret_files import load_or_create

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class StackConfig:
    data_dir: Path
    gateway_port: int | None = None  # None: a free port
    chat_port: int | None = None
    upload_port: int | None = None
    s3_port: int | None = None
    database_url: str | None = None  # None: SQLite files in data_dir
    redis_url: str | None = None
    with_upload: bool = True
    env: dict[str, str] = field(default_factory=dict)  # extra settings, e.g. OPEN_CHAT_CAP
    quiet: bool = False
    envoy_port: int | None = None  # set: also start Envoy (the edge) on this port; 0 for a free one
    chat_metrics_port: int | None = None  # Prometheus metrics of the services; None: a free port
    upload_metrics_port: int | None = None


def _grpc_serving(target: str) -> bool:
    with grpc.insecure_channel(target) as channel:
        resp = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
        return resp.status == health_pb2.HealthCheckResponse.SERVING


def _http_ready(url: str, *, require_ok: bool) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - our own loopback URL
            return resp.status == 200
    except urllib.error.HTTPError:
        return not require_ok  # answering at all is enough when a service is left out on purpose


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.data_dir = config.data_dir.resolve()
        self.log_dir = self.data_dir / "logs"
        self.chat_port = config.chat_port or free_port()
        self.upload_port = config.upload_port or free_port()
        self.gateway_port = config.gateway_port or free_port()
        self.chat_metrics_port = config.chat_metrics_port or free_port()
        self.upload_metrics_port = config.upload_metrics_port or free_port()
        self.s3: SeaweedS3 | None = None
        self.procs: dict[str, ManagedProcess] = {}  # in start order; stopped in reverse
        self.envoy: Envoy | None = None

    # --- addresses ----------------------------------------------------------------------

    @property
    def chat_target(self) -> str:
        return f"127.0.0.1:{self.chat_port}"

    @property
    def upload_target(self) -> str:
        return f"127.0.0.1:{self.upload_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def metrics_urls(self) -> dict[str, str]:
        """Where each process serves its Prometheus metrics (the gateway on its own port)."""
        urls = {
            "gateway": f"{self.gateway_url}/metrics",
            "chat": f"http://127.0.0.1:{self.chat_metrics_port}/metrics",
        }
        if self.config.with_upload:
            urls["upload"] = f"http://127.0.0.1:{self.upload_metrics_port}/metrics"
        return urls

    @property
    def envoy_url(self) -> str | None:
        return self.envoy.url if self.envoy is not None else None

    def s3_credentials(self) -> tuple[str, str]:
        access = load_or_create(self.data_dir, "s3_access_key", lambda: "trellis" + os.urandom(6).hex())
        return access, load_or_create(self.data_dir, "s3_secret_key")

    def service_env(self) -> dict[str, str]:
        """Environment shared by every service process (the README documents each variable)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CHAT_", "UPLOAD_"))}
        env.update(
            DATA_DIR=str(self.data_dir),
            PYTHONUNBUFFERED="1",
            CHAT_GRPC_ADDRESS=self.chat_target,
            CHAT_GRPC_TARGET=self.chat_target,
            UPLOAD_GRPC_ADDRESS=self.upload_target,
            UPLOAD_GRPC_TARGET=self.upload_target,
            GATEWAY_HOST="127.0.0.1",
            GATEWAY_PORT=str(self.gateway_port),
            CHAT_METRICS_PORT=str(self.chat_metrics_port),
            UPLOAD_METRICS_PORT=str(self.upload_metrics_port),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        if self.config.database_url:
            env["DATABASE_URL"] = self.config.database_url
        if self.config.redis_url:
            env["REDIS_URL"] = self.config.redis_url
        if self.s3 is not None:
            access, secret = self.s3_credentials()
            env.update(S3_ENDPOINT=self.s3.endpoint, S3_ACCESS_KEY=access, S3_SECRET_KEY=secret)
        env.update(self.config.env)
        return env

    # --- lifecycle ----------------------------------------------------------------------

    def _say(self, text: str) -> None:
        if not self.config.quiet:
            print(text, flush=True)

    def _spawn(self, name: str, module: str, env: dict[str, str] | None = None) -> ManagedProcess:
        proc = ManagedProcess(
            name,
            [sys.executable, "-m", module],
            {**self.service_env(), **(env or {})},
            self.log_dir / f"{name}.log",
            ROOT,
        )
        self.procs[name] = proc
        proc.start()
        return proc

    def start(self, timeout: float = 60) -> Stack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        load_or_create(self.data_dir, "jwt_secret")  # before any child: all must share it
        try:
            if self.config.with_upload:
                access, secret = self.s3_credentials()
                self.s3 = SeaweedS3(
                    data_dir=self.data_dir / "seaweedfs",
                    access_key=access,
                    secret_key=secret,
                    bucket=self.config.env.get("S3_BUCKET", "trellis-uploads"),
                    s3_port=self.config.s3_port,
                    log_path=self.log_dir / "seaweedfs.log",
                )
                self.s3.start(timeout=timeout)
            self._say(f"[stack] starting chat service on {self.chat_target}")
            chat = self._spawn("chat", "services.chat.server")
            if self.config.with_upload:
                self._say(f"[stack] starting upload service on {self.upload_target}")
                upload = self._spawn("upload", "services.upload.server")
            chat.wait_ready(lambda: _grpc_serving(self.chat_target), timeout)
            if self.config.with_upload:
                upload.wait_ready(lambda: _grpc_serving(self.upload_target), timeout)
            self._say(f"[stack] starting gateway on {self.gateway_url}")
            gateway = self._spawn("gateway", "services.gateway.server")
            gateway.wait_ready(
                lambda: _http_ready(self.gateway_url + "/healthz", require_ok=self.config.with_upload), timeout
            )
            if self.config.envoy_port is not None:
                self.envoy = Envoy(
                    self.data_dir / "envoy",
                    self.chat_target,
                    self.upload_target,
                    f"127.0.0.1:{self.gateway_port}",
                    port=self.config.envoy_port or None,
                    log_dir=self.log_dir,
                )
                self._say(f"[stack] starting envoy on {self.envoy.url}")
                self.envoy.start(timeout)
                if self.envoy.proc is not None:
                    self.procs["envoy"] = self.envoy.proc
            self._say("[stack] all services ready")
        except BaseException:
            self.stop()
            raise
        return self

    def restart(self, name: str, *, kill: bool = False, env: dict[str, str] | None = None, timeout: float = 60) -> None:
        """Stop one service (SIGKILL with kill=True, as a crash would) and start it again."""
        proc = self.procs[name]
        if kill:
            proc.signal(9)
            if proc.proc is not None:
                proc.proc.wait(10)
        else:
            proc.stop()
        self.config.env.update(env or {})
        fresh = self._spawn(name, f"services.{name}.server")
        target = {"chat": self.chat_target, "upload": self.upload_target}.get(name)
        if target:
            fresh.wait_ready(lambda: _grpc_serving(target), timeout)
        else:
            fresh.wait_ready(lambda: _http_ready(self.gateway_url + "/healthz", require_ok=False), timeout)

    def start_replica(self, name: str, service: str, env: dict[str, str], timeout: float = 60) -> ManagedProcess:
        """One more process of a service (e.g. `chat-2`) with its own address in `env`, sharing the
        stack's database, Redis and S3: CHAT_GRPC_ADDRESS for chat, GATEWAY_PORT (and CHAT_GRPC_TARGET
        to pair it with a chat replica) for the gateway."""
        metrics = f"{service.upper()}_METRICS_PORT"
        if service != "gateway" and metrics not in env:  # its own metrics port, like its own address
            env = {**env, metrics: str(free_port())}
        proc = self._spawn(name, f"services.{service}.server", env)
        merged = {**self.service_env(), **env}
        if service == "gateway":
            url = f"http://127.0.0.1:{merged['GATEWAY_PORT']}/healthz"
            proc.wait_ready(lambda: _http_ready(url, require_ok=self.config.with_upload), timeout)
        else:
            address = merged[f"{service.upper()}_GRPC_ADDRESS"]
            proc.wait_ready(lambda: _grpc_serving(address), timeout)
        return proc

    def stop(self) -> None:
        for name in reversed(list(self.procs)):
            proc = self.procs.pop(name)
            self._say(f"[stack] stopping {name}")
            proc.stop()
        self.envoy = None
        if self.s3 is not None:
            self._say("[stack] stopping seaweedfs")
            self.s3.stop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
