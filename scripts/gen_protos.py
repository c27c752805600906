"""Regenerate the Python gRPC code from protos/ (and lint, check drift, build descriptors).

python scripts/gen_protos.py            # regenerate services/common/gen
python scripts/gen_protos.py --check    # fail if the committed code drifts from protos/
python scripts/gen_protos.py --lint     # buf lint (google/api imports from the installed wheel)
python scripts/gen_protos.py --descriptor-set OUT.binpb   # for Envoy's grpc_json_transcoder
python scripts/gen_protos.py --breaking HEAD~1  # buf breaking (FILE rules) against a git revision; a
                                                # deliberate break needs a `Proto-Breaking: <why>` trailer
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
GEN = ROOT / "services" / "common" / "gen"
DEPS = ROOT / "build" / "proto_deps"
GEN_PACKAGE = "services.common.gen"


def _googleapis_dir() -> Path:
    import google.api  # from googleapis-common-protos

    for entry in google.api.__path__:
        candidate = Path(entry).parent.parent
        if (candidate / "google" / "api" / "annotations.proto").exists():
            return candidate
    sys.exit("googleapis-common-protos ships no .proto files here: run scripts/bootstrap.sh")


def _protobuf_include() -> Path:
    import grpc_tools

    return Path(grpc_tools.__file__).parent / "_proto"


def _proto_files() -> list[str]:
    return sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))


def _protoc(args: list[str], root: Path = PROTOS) -> None:
    from grpc_tools import protoc

    cmd = ["protoc", f"-I{root}", f"-I{_googleapis_dir()}", f"-I{_protobuf_include()}", *args]
    if protoc.main(cmd) != 0:
        sys.exit("protoc failed: fix the errors above in protos/")


def _rewrite_imports(out: Path) -> None:
    # protoc emits `from trellis.v1 import x_pb2`; make it a package-relative import of ours.
    for path in out.rglob("*.py*"):
        text = path.read_text()
        new = re.sub(r"^from trellis\.v1 import", f"from {GEN_PACKAGE}.trellis.v1 import", text, flags=re.M)
        new = re.sub(r"^import trellis\.v1\.", f"import {GEN_PACKAGE}.trellis.v1.", new, flags=re.M)
        if new != text:
            path.write_text(new)


def generate(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _protoc([f"--python_out={out}", f"--pyi_out={out}", f"--grpc_python_out={out}", *_proto_files()])
    for pkg in (out, out / "trellis", out / "trellis" / "v1"):
        (pkg / "__init__.py").touch()
    _rewrite_imports(out)


def check() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "gen"
        generate(fresh)
        cmp = filecmp.dircmp(fresh, GEN)
        drift = _diff(cmp)
    if drift:
        print("generated code drifts from protos/: run `python scripts/gen_protos.py` and commit:")
        for item in drift:
            print(f"  {item}")
        return 1
    print("generated code matches protos/")
    return 0


def _diff(cmp: filecmp.dircmp) -> list[str]:
    ignored = {"__pycache__"}
    out = [f for f in cmp.left_only + cmp.right_only + cmp.diff_files if f not in ignored]
    for sub in cmp.subdirs.values():
        out += _diff(sub)
    return out


def link_deps() -> None:
    # buf needs the google/* imports as files: link them from the installed wheel, never copy.
    src = _googleapis_dir() / "google"
    for name in ("api", "rpc"):
        target = DEPS / "google" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            if target.resolve() == (src / name).resolve():
                continue
            target.unlink()
        target.symlink_to(src / name)


def buf(args: list[str]) -> int:
    link_deps()
    exe = Path(sys.executable).parent / "buf"
    return subprocess.call([str(exe if exe.exists() else "buf"), *args], cwd=ROOT)


def descriptor_set(out: Path, protos: Path = PROTOS) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(str(p.relative_to(protos)) for p in protos.rglob("*.proto"))
    _protoc(["--include_imports", "--include_source_info", f"--descriptor_set_out={out}", *files], protos)


def breaking(ref: str) -> int:
    """buf breaking against the protos of a git revision (built here: buf needs the google/* deps)."""
    known = subprocess.call(
        ["git", "rev-parse", "--verify", "-q", f"{ref}^{{commit}}"], cwd=ROOT, stdout=subprocess.DEVNULL
    )
    if known != 0:
        print(f"no revision {ref} in this clone: nothing to compare the protos with, skipped")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", ref, "protos"], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        against, current = Path(tmp) / "against.binpb", Path(tmp) / "current.binpb"
        descriptor_set(against, Path(tmp) / "protos")
        descriptor_set(current)
        config = '{"version": "v2", "breaking": {"use": ["FILE"]}}'  # buf.yaml's breaking rules
        code = buf(["breaking", str(current), "--against", str(against), "--exclude-imports", "--config", config])
    if code == 0:
        print(f"protos are wire- and source-compatible with {ref}")
        return 0
    # A deliberate break (e.g. internal RPCs moved to their own service) is declared in the commit.
    message = subprocess.run(["git", "log", "-1", "--format=%B"], cwd=ROOT, capture_output=True, text=True).stdout
    reason = re.search(r"^Proto-Breaking: (.+)$", message, flags=re.M)
    if reason:
        print(f"breaking changes since {ref}, declared in the commit: {reason.group(1)}")
        return 0
    print(f"breaking changes since {ref}: fix them, or declare them with a `Proto-Breaking: <why>` commit trailer")
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--lint", action="store_true")
    parser.add_argument("--descriptor-set", type=Path)
    parser.add_argument("--breaking", metavar="REF")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.check:
        return check()
    if args.lint:
        return buf(["lint"])
    if args.breaking:
        return breaking(args.breaking)
    if args.descriptor_set:
        descriptor_set(args.descriptor_set)
        return 0
    shutil.rmtree(GEN, ignore_errors=True)
    generate(GEN)
    print(f"generated {len(_proto_files())} protos into {GEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
