"""The descriptor set Envoy's grpc_json_transcoder reads, built from protos/ (never committed).

    python deploy/envoy/descriptor.py OUT.binpb [--protos DIR]

Needs grpcio-tools and googleapis-common-protos (the `edge` extra; the Envoy image's build stage
installs them from deploy/docker/requirements/edge.txt). Besides protos/ and their imports, the set
carries google/rpc/error_details.proto so that Envoy can print the google.rpc.ErrorInfo of a failed
call in its JSON error body (convert_grpc_status). Standalone: imports nothing of the project.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROTOS = Path(__file__).resolve().parents[2] / "protos"
EXTRA_TYPES = ("google/rpc/error_details.proto", "google/rpc/status.proto")


def _include_dirs() -> list[Path]:
    import google.api  # googleapis-common-protos ships the .proto files next to the modules
    import grpc_tools

    googleapis = next(
        Path(entry).parent.parent
        for entry in google.api.__path__
        if (Path(entry).parent.parent / "google" / "api" / "annotations.proto").exists()
    )
    return [googleapis, Path(grpc_tools.__file__).parent / "_proto"]


def build(out: Path, protos: Path = PROTOS) -> Path:
    from grpc_tools import protoc

    out.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(str(p.relative_to(protos)) for p in protos.rglob("*.proto"))
    includes = [f"-I{protos}", *(f"-I{d}" for d in _include_dirs())]
    args = ["protoc", *includes, "--include_imports", f"--descriptor_set_out={out}", *files, *EXTRA_TYPES]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed: see the errors above")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--protos", type=Path, default=PROTOS)
    args = parser.parse_args()
    build(args.out, args.protos)
    print(f"descriptor set: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
