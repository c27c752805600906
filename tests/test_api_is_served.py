"""No declared-but-unbuilt API: every service of protos/ is served by the Chat or the Upload process,
and every REST route its `google.api.http` annotations declare is a route of the gateway."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import grpc
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2
from starlette.routing import Route

from devstack.stack import Stack
from services.common.gen.trellis import v1 as generated
from services.gateway.app import create_app


def proto_modules() -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(generated.__path__) if m.name.endswith("_pb2"))
    return [importlib.import_module(f"{generated.__name__}.{name}") for name in names]


def services() -> list[tuple[str, list[descriptor_pb2.MethodDescriptorProto]]]:
    out = []
    for module in proto_modules():
        fd = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(fd)
        out += [(f"{fd.package}.{service.name}", list(service.method)) for service in fd.service]
    return out


def _answer(channel: grpc.Channel, path: str, method: descriptor_pb2.MethodDescriptorProto) -> grpc.StatusCode:
    """The status of a call without a token (an empty request): UNIMPLEMENTED if no servicer serves it."""
    kinds = {
        (False, False): channel.unary_unary,
        (False, True): channel.unary_stream,
        (True, False): channel.stream_unary,
        (True, True): channel.stream_stream,
    }
    call = kinds[(method.client_streaming, method.server_streaming)](path)
    request = iter([b""]) if method.client_streaming else b""
    try:
        result = call(request, timeout=10)
        if method.server_streaming:
            list(result)
    except grpc.RpcError as err:
        return err.code()
    return grpc.StatusCode.OK


def test_every_service_of_the_protos_is_served_by_a_process(stack: Stack) -> None:
    found = services()
    assert "trellis.v1.ProjectService" in {name for name, _ in found}
    unserved = []
    with grpc.insecure_channel(stack.chat_target) as chat, grpc.insecure_channel(stack.upload_target) as upload:
        for name, methods in found:
            served_by = [
                channel
                for channel in (chat, upload)
                if all(_answer(channel, f"/{name}/{m.name}", m) != grpc.StatusCode.UNIMPLEMENTED for m in methods)
            ]
            if not served_by:
                unserved.append(name)
    assert unserved == [], f"declared in protos/ but served by no process: {unserved}"


def test_every_annotated_rest_route_is_served_by_the_gateway() -> None:
    served = set()
    for route in create_app().routes:
        if isinstance(route, Route):
            served |= {(verb, route.path) for verb in route.methods or ()}
    missing = []
    for module in proto_modules():
        fd = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(fd)
        for service in fd.service:
            for method in service.method:
                rule = method.options.Extensions[annotations_pb2.http]
                verb = rule.WhichOneof("pattern")
                if not verb:
                    continue
                bindings = [rule, *rule.additional_bindings]
                for binding in bindings:
                    kind = binding.WhichOneof("pattern")
                    key = (kind.upper(), getattr(binding, kind))
                    if key not in served:
                        missing.append(f"{key[0]} {key[1]} ({service.name}.{method.name})")
    assert missing == [], f"annotated in protos/ but not served by the gateway: {missing}"
