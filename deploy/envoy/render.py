"""Fills deploy/envoy/transcoder.yaml.tmpl: for the run command and the tests, and for Kubernetes.

    python deploy/envoy/render.py --kubernetes           # print the Kubernetes config
    python deploy/envoy/render.py --kubernetes --write   # update deploy/k8s/base/envoy/envoy.yaml
    python deploy/envoy/render.py --kubernetes --check   # fail if that file differs from the template

devstack/envoy.py renders the loopback variant with `render(local_values(...))`. Standard library only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from string import Template

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TEMPLATE = HERE / "transcoder.yaml.tmpl"
KUBERNETES_CONFIG = ROOT / "deploy" / "k8s" / "base" / "envoy" / "envoy.yaml"
HEADER = "# Rendered from deploy/envoy/transcoder.yaml.tmpl by `python deploy/envoy/render.py --kubernetes --write`.\n"

# In the cluster: the Services of deploy/k8s/base (chat and upload are headless, so Envoy balances
# each request over every ready pod), the descriptor set baked into the Envoy image.
KUBERNETES: dict[str, object] = {
    "admin_address": "127.0.0.1",
    "admin_port": 9901,
    "listen_address": "0.0.0.0",
    "listen_port": 8080,
    "probe_address": "0.0.0.0",
    "probe_port": 8081,
    "descriptor_path": "/etc/envoy/trellis.binpb",
    "cluster_type": "STRICT_DNS",
    "chat_host": "chat",
    "chat_port": 50051,
    "upload_host": "upload",
    "upload_port": 50052,
    "gateway_host": "gateway",
    "gateway_port": 8000,
}


def local_values(
    *,
    listen_port: int,
    admin_port: int,
    probe_port: int,
    descriptor_path: Path | str,
    chat_target: str,
    upload_target: str,
    gateway_target: str,
) -> dict[str, object]:
    """Loopback addresses (IPs: the clusters are STATIC) for the run command and the tests."""
    values: dict[str, object] = {
        "admin_address": "127.0.0.1",
        "admin_port": admin_port,
        "listen_address": "127.0.0.1",
        "listen_port": listen_port,
        "probe_address": "127.0.0.1",
        "probe_port": probe_port,
        "descriptor_path": str(descriptor_path),
        "cluster_type": "STATIC",
    }
    for name, target in (("chat", chat_target), ("upload", upload_target), ("gateway", gateway_target)):
        host, port = target.rsplit(":", 1)
        values[f"{name}_host"], values[f"{name}_port"] = host, int(port)
    return values


def render(values: Mapping[str, object]) -> str:
    return Template(TEMPLATE.read_text()).substitute(values)


def kubernetes_config() -> str:
    return HEADER + render(KUBERNETES)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kubernetes", action="store_true", required=True)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true")
    action.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = kubernetes_config()
    if args.write:
        KUBERNETES_CONFIG.parent.mkdir(parents=True, exist_ok=True)
        KUBERNETES_CONFIG.write_text(text)
        print(f"wrote {KUBERNETES_CONFIG.relative_to(ROOT)}")
    elif args.check:
        if not KUBERNETES_CONFIG.exists() or KUBERNETES_CONFIG.read_text() != text:
            print(
                f"{KUBERNETES_CONFIG.relative_to(ROOT)} differs from the template: run render.py --kubernetes --write"
            )
            return 1
        print(f"{KUBERNETES_CONFIG.relative_to(ROOT)} matches the template")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
