"""(HTTP method, path template) → the RPC behind it, from the protos' `google.api.http` annotations."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any

from google.protobuf.descriptor import MethodDescriptor

GEN_PACKAGE = "services.common.gen.trellis.v1"


@dataclass(frozen=True)
class RpcRoute:
    method: MethodDescriptor
    body: str  # the annotation's `body`: "*", one field's name, or "" (no body)

    @property
    def name(self) -> str:
        return f"{self.method.containing_service.name}.{self.method.name}"


def annotated_routes() -> dict[tuple[str, str], RpcRoute]:
    """Every annotated RPC of every generated proto module."""
    out: dict[tuple[str, str], RpcRoute] = {}
    annotations: Any = importlib.import_module("google.api.annotations_pb2")  # untyped: googleapis-common-protos
    package = importlib.import_module(GEN_PACKAGE)
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.endswith("_pb2"):
            continue
        module = importlib.import_module(f"{GEN_PACKAGE}.{info.name}")
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                rule = method.GetOptions().Extensions[annotations.http]
                verb = rule.WhichOneof("pattern")
                if verb and verb != "custom":
                    out[(verb.upper(), getattr(rule, verb))] = RpcRoute(method, rule.body)
    return out
