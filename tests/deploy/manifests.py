"""Rendering deploy/k8s with kubectl's kustomize, and reading the rendered objects."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from devstack.stack import ROOT
from tests.conftest import missing

K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("local", "production")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job")
Obj = dict[str, Any]


def kubectl() -> str:
    found = shutil.which("kubectl")
    if not found:
        missing("kubectl (with its built-in kustomize) is not installed")
    return found


def render(path: Path) -> list[Obj]:
    """`kubectl kustomize PATH` as a list of objects."""
    done = subprocess.run([kubectl(), "kustomize", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def named(objects: list[Obj], kind: str, name: str) -> Obj:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def workloads(objects: list[Obj]) -> list[Obj]:
    return [o for o in objects if o["kind"] in WORKLOAD_KINDS]


def pod_spec(workload: Obj) -> Obj:
    spec: Obj = workload["spec"]["template"]["spec"]
    return spec


def containers(workload: Obj) -> Iterator[Obj]:
    spec = pod_spec(workload)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def env_of(container: Obj) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}
