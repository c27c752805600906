"""The README's table of HTTP routes ↔ RPCs ↔ the modules behind them, built from the code.

python scripts/readme_routes.py           # print the table
python scripts/readme_routes.py --write   # put it in README.md between the routes markers

Routes come from the gateway app, RPCs from the protos' `google.api.http` annotations (plus the
few routes transcoding cannot express), servicer modules from the naming convention (one module
per proto file under each service's `api/`), checked to define the RPC. The web console's routes
(GATEWAY_ONLY) have no RPC: the gateway serves those files itself. Routes that transcoding does not
serve declare their RPCs on the handler (`rpcs`, set by routes/webui_http.webui_route); Open
WebUI's `/api/…` aliases of `/api/v1/…` routes are listed once, under `/api/v1/…`.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from google.api import annotations_pb2  # noqa: E402
from google.protobuf import descriptor_pb2  # noqa: E402
from starlette.routing import Mount, Route, WebSocketRoute  # noqa: E402
from starlette.staticfiles import StaticFiles  # noqa: E402

from services.common.gen.trellis.v1 import (  # noqa: E402
    auth_pb2,
    chat_pb2,
    integration_pb2,
    memory_pb2,
    model_pb2,
    organization_rule_pb2,
    personal_key_pb2,
    project_pb2,
    saved_query_pb2,
    upload_pb2,
    webui_chat_list_pb2,
    webui_chat_pb2,
    webui_folder_pb2,
    webui_share_pb2,
    webui_tag_pb2,
    webui_transfer_pb2,
)
from services.gateway.app import create_app  # noqa: E402

SERVED_FILES = [
    auth_pb2,
    chat_pb2,
    integration_pb2,
    memory_pb2,
    model_pb2,
    organization_rule_pb2,
    saved_query_pb2,
    webui_chat_pb2,
    webui_chat_list_pb2,
    webui_tag_pb2,
    webui_share_pb2,
    webui_transfer_pb2,
    webui_folder_pb2,
    personal_key_pb2,
    project_pb2,
]
BEGIN, END = "<!-- routes:begin -->", "<!-- routes:end -->"
# Routes JSON transcoding cannot express: multipart uploads, the WebSocket, the gateway's health.
UNANNOTATED = {
    ("POST", "/v1/chats/uploads"): ["UploadService.UploadFile"],
    ("POST", "/v1/projects/{project_id}/documents"): ["UploadService.UploadFile"],
    ("WS", "/v1/chats/ws"): ["ChatService.SendMessage", "ChatService.EditMessage"],
    ("GET", "/healthz"): ["grpc.health.v1.Health.Check"],
}
# Routes the gateway serves by itself, with no RPC behind them: the web console (its static files,
# and `/` redirecting to it). A StaticFiles mount is listed as `GET <path>/{path}`.
GATEWAY_ONLY = {
    ("GET", "/"),
    ("GET", "/console/{path}"),
    ("GET", "/metrics"),  # the gateway's Prometheus metrics (services/gateway/routes/metrics.py)
    ("GET", "/openapi.json"),  # its OpenAPI document (services/gateway/routes/openapi.py)
}
# Stores named after something other than the proto file.
STORES = {
    "auth": "services/chat/storage/organization_store.py",
    "model": "",
    "upload": "services/upload/storage/upload_store.py",
}


@dataclass(frozen=True)
class Rpc:
    service: str
    method: str
    proto: str  # file stem: chat, saved_query, ...

    @property
    def servicer(self) -> str:
        package = "upload" if self.proto == "upload" else "chat"
        return f"services/{package}/api/{self.proto}.py"

    @property
    def store(self) -> str:
        if self.proto in STORES:
            return STORES[self.proto]
        return f"services/chat/storage/{self.proto}_store.py"


def _rpcs() -> dict[tuple[str, str], Rpc]:
    """(HTTP method, path) -> RPC, from the annotations."""
    out: dict[tuple[str, str], Rpc] = {}
    for module in [*SERVED_FILES, upload_pb2]:
        fd = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(fd)
        stem = Path(fd.name).stem
        for service in fd.service:
            for method in service.method:
                rule = method.options.Extensions[annotations_pb2.http]
                verb = rule.WhichOneof("pattern")
                if verb and verb != "custom":
                    out[(verb.upper(), getattr(rule, verb))] = Rpc(service.name, method.name, stem)
    return out


def _by_name() -> dict[str, Rpc]:
    """Service.Method -> RPC, for every RPC of the served protos."""
    out = {}
    for module in [*SERVED_FILES, upload_pb2]:
        stem = Path(module.DESCRIPTOR.name).stem
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                out[f"{service.name}.{method.name}"] = Rpc(service.name, method.name, stem)
    return out


def _alias_of(path: str, listed: set[tuple[str, str]], verb: str) -> bool:
    """Whether the route is Open WebUI's `/api/…` alias of a listed `/api/v1/…` route."""
    return path.startswith("/api/") and not path.startswith("/api/v1/") and (verb, "/api/v1" + path[4:]) in listed


def _defines(module_path: str, method: str) -> bool:
    path = ROOT / module_path
    return path.exists() and re.search(rf"\bdef {method}\(", path.read_text()) is not None


def _route_module(endpoint: object) -> str:
    module = getattr(endpoint, "__module__", None) or type(endpoint).__module__
    return str(module).replace(".", "/") + ".py"


def rows() -> list[tuple[str, str, str, str, str]]:
    """(route, RPC, gateway module, servicer module, store module) for every gateway route."""
    annotated, named = _rpcs(), _by_name()
    out = []
    listed: set[tuple[str, str]] = set()
    for route in create_app().routes:
        path = route.path
        if isinstance(route, WebSocketRoute):
            verbs = ["WS"]
        elif isinstance(route, Route):
            verbs = sorted((route.methods or set()) - {"HEAD"})
        elif isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            verbs, path = ["GET"], f"{route.path}/{{path}}"
        else:
            continue
        endpoint = route.app if isinstance(route, Mount) else route.endpoint
        for verb in verbs:
            key = (verb, path)
            if _alias_of(path, listed, verb):
                continue
            listed.add(key)
            if key in GATEWAY_ONLY:
                out.append((f"{verb} {path}", "-", _route_module(endpoint), "-", "-"))
                continue
            if getattr(endpoint, "rpcs", None):
                names = list(getattr(endpoint, "rpcs"))  # noqa: B009 - declared by webui_route
            elif key in annotated:
                names = [f"{annotated[key].service}.{annotated[key].method}"]
            elif key in UNANNOTATED:
                names = UNANNOTATED[key]
            else:
                raise SystemExit(f"{verb} {path}: no RPC annotation and no entry in UNANNOTATED or GATEWAY_ONLY")
            for name in names:
                rpc = named.get(name)
                if rpc is None:  # the health check: served by grpc's own servicer
                    out.append((f"{verb} {path}", name, _route_module(endpoint), "-", "-"))
                    continue
                if not _defines(rpc.servicer, rpc.method):
                    raise SystemExit(f"{rpc.servicer} does not define {rpc.method}")
                if rpc.store and not (ROOT / rpc.store).exists():
                    raise SystemExit(f"{rpc.store} does not exist")
                out.append((f"{verb} {path}", name, _route_module(endpoint), rpc.servicer, rpc.store or "-"))
    return out


def table() -> str:
    lines = ["| Route | RPC | Gateway route module | Servicer module | Store |", "|---|---|---|---|---|"]
    for route, rpc, gateway, servicer, store in rows():
        cells = [f"`{route}`", *(f"`{c}`" if c != "-" else c for c in (rpc, gateway, servicer, store))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def readme_with_table(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + table() + "\n" + text[end:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not args.write:
        print(table())
        return 0
    readme = ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text()))
    print(f"routes table written to {readme.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
