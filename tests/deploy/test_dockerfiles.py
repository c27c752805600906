"""The images' Dockerfiles: hadolint-clean, multi-stage, pinned bases, non-root, no build tools or
HEALTHCHECK in the final stages, and each service image holding only its own code and lock file.
(No image is built here: the machines this runs on have no Docker engine.)"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devstack.stack import ROOT

DOCKERFILES = sorted(
    p for p in ROOT.glob("**/*Dockerfile") if not {".venv", "node_modules", "build"} & set(p.relative_to(ROOT).parts)
)
SERVICES = ("chat", "upload", "gateway")
BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|make|build-essential|apt-get|apk add|curl|wget)\b")


@dataclass
class Stage:
    base: str
    name: str
    lines: list[str] = field(default_factory=list)


def stages(path: Path) -> list[Stage]:
    """The FROM stages of a Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    out: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if m := re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line, flags=re.I):
            out.append(Stage(m.group(1), m.group(2) or ""))
        elif out:
            out[-1].lines.append(line)
    return out


def lineage(all_stages: list[Stage], stage: Stage) -> list[Stage]:
    """A stage and the stages it is built FROM, nearest first."""
    by_name = {s.name: s for s in all_stages}
    chain = [stage]
    while chain[-1].base in by_name:
        chain.append(by_name[chain[-1].base])
    return chain


def test_there_are_dockerfiles_for_every_service_and_envoy() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in DOCKERFILES}
    assert {"deploy/docker/Dockerfile", "deploy/docker/envoy.Dockerfile"} <= names
    targets = {s.name for s in stages(ROOT / "deploy" / "docker" / "Dockerfile")}
    assert set(SERVICES) <= targets


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_hadolint_passes(path) -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    done = subprocess.run([str(hadolint), str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_bases_are_pinned_and_final_stages_run_unprivileged(path) -> None:
    all_stages = stages(path)
    assert len(all_stages) >= 2, "multi-stage: the build happens in a stage of its own"
    names = {s.name for s in all_stages}
    for stage in all_stages:
        if stage.base in names:
            continue
        _, _, tag = stage.base.partition(":")
        assert tag and tag != "latest" and re.search(r"\d", tag), f"{stage.base}: pin a versioned tag"
    # A final stage is one no other stage builds on or copies from (an image target).
    used = {s.base for s in all_stages} | {
        m.group(1) for s in all_stages for line in s.lines if (m := re.match(r"COPY --from=(\S+)", line))
    }
    finals = [s for s in all_stages if not s.name or s.name not in used]
    assert finals
    for final in finals:
        chain = lineage(all_stages, final)
        users = [line.split(None, 1)[1] for stage in reversed(chain) for line in stage.lines if line.startswith("USER")]
        assert users and users[-1].split(":")[0] not in ("0", "root"), f"{final.name or 'final'} runs as {users}"
        for stage in chain:
            for line in stage.lines:
                assert not line.startswith("HEALTHCHECK"), "probes, not HEALTHCHECK"
                if line.startswith("RUN"):
                    assert not BUILD_TOOLS.search(line), f"{final.name}: {line}"
        copied = [line for stage in chain for line in stage.lines if line.startswith("COPY --from=")]
        assert copied, f"{final.name}: the final stage takes what it needs from the build stages"


def test_each_service_image_holds_only_its_own_code_and_dependencies() -> None:
    all_stages = stages(ROOT / "deploy" / "docker" / "Dockerfile")
    by_name = {s.name: s for s in all_stages}
    for service in SERVICES:
        final = by_name[service]
        copies = " ".join(line for line in final.lines if line.startswith("COPY"))
        assert f"--from=deps-{service} /opt/venv" in copies
        assert f"services/{service}/" in copies
        for other in set(SERVICES) - {service}:
            assert f"services/{other}" not in copies and f"deps-{other}" not in copies, (service, other)
        deps = " ".join(by_name[f"deps-{service}"].lines)
        assert f"deploy/docker/requirements/{service}.txt" in deps
        assert "--require-hashes" in deps and "--only-binary=:all:" in deps and "--no-deps" in deps
        assert any(line == f'CMD ["python", "-m", "services.{service}.server"]' for line in final.lines)


def test_the_envoy_image_builds_its_descriptor_set_from_the_protos() -> None:
    text = (ROOT / "deploy" / "docker" / "envoy.Dockerfile").read_text()
    assert "COPY protos/" in text and "deploy/envoy/descriptor.py" in text
    assert "requirements/edge.txt" in text
    assert not list((ROOT / "deploy").rglob("*.binpb")) and not list((ROOT / "deploy").rglob("*.pb"))


def test_the_build_context_sends_only_what_the_dockerfiles_copy() -> None:
    for path in DOCKERFILES:
        ignore = path.with_name(path.name + ".dockerignore")
        assert ignore.exists(), f"{ignore.relative_to(ROOT)}: keep .venv, data and secrets out of the context"
        lines = ignore.read_text().splitlines()
        assert lines[lines.index("*") if "*" in lines else -1] == "*"
