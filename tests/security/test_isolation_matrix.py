"""Tenant isolation, attacked: every principal calls every route and RPC with every other principal's ids.

The world: two organizations, each with an admin and a member, each of whom owns one of every
resource. The routes come from the gateway's own route table and the RPCs from the proto
descriptors, so a new route or RPC is attacked automatically; one whose body or id kind the
matrix does not know yet fails here until it is described below.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import httpx
import pytest
from google.protobuf import descriptor, message_factory
from starlette.routing import Route, WebSocketRoute

from devstack.stack import Stack
from services.gateway.app import create_app
from tests.conftest import Org, make_org
from tests.helpers import add_integration, bearer_metadata, create_chat, make_admin, post_files
from tests.turn_clients import sse_turn

pytestmark = pytest.mark.storage

# Kinds of id, and whether another member of the same organization must be kept out too.
MEMBER_SCOPED = {"chat", "message", "upload", "memory", "folder"}
# A share (Open WebUI's snapshot of a chat) is readable within its organization by design.
ORG_SCOPED = {"integration", "query", "rule", "member", "share", "project", "document"}
PARAM_KIND = {
    "chat_id": "chat",
    "message_id": "message",
    "upload_id": "upload",
    "memory_id": "memory",
    "query_id": "query",
    "saved_query_id": "query",
    "rule_id": "rule",
    "integration_id": "integration",
    "member_id": "member",
    "folder_id": "folder",
    "share_id": "share",
    "project_id": "project",
    "document_id": "document",
}
# Routes only an admin may call: a member gets 403 (or 404) there, never a 2xx.
ADMIN_ROUTES = re.compile(
    r"^(POST|PATCH|DELETE) /v1/(integrations|queries|projects)|^\w+ /v1/(organization-rules|admin/)"
)
# JSON bodies (or query strings) of routes that take one, aimed at the victim `v`.
BODIES: dict[str, Callable[[Principal], dict[str, Any]]] = {
    "POST /v1/chats": lambda v: {"json": {"chat_id": v.ids["chat"], "message": "how many orders are there"}},
    "POST /v1/chats/create": lambda v: {"json": {"integration_id": v.ids["integration"]}},
    "DELETE /v1/chats": lambda v: {"json": {"chat_ids": [v.ids["chat"]]}},
    "PUT /v1/chats/{chat_id}": lambda v: {"json": {"title": "taken over"}},
    "PATCH /v1/chats/{chat_id}/messages/{message_id}": lambda v: {"json": {"content": "rewritten"}},
    "PATCH /v1/chats/messages/{message_id}/feedback": lambda v: {"json": {"feedback": "negative"}},
    "POST /v1/chats/uploads": lambda v: {
        "data": {"chat_id": v.ids["chat"]},
        "files": [("files", ("x.csv", b"a,b\n1,2\n"))],
    },
    "PATCH /v1/queries/{query_id}": lambda v: {"json": {"title": "taken over"}},
    "PATCH /v1/integrations/{integration_id}": lambda v: {"json": {"display_name": "taken over"}},
    "PATCH /v1/user-memories/{memory_id}": lambda v: {"json": {"content": "taken over"}},
    "PATCH /v1/organization-rules/{rule_id}": lambda v: {"json": {"content": "taken over"}},
    "GET /v1/admin/user-memories": lambda v: {"params": {"member_id": v.ids["member"]}},
    "POST /v1/admin/user-memories": lambda v: {"json": {"member_id": v.ids["member"], "content": "planted"}},
    "PATCH /v1/admin/user-memories/{memory_id}": lambda v: {"json": {"member_id": v.ids["member"], "content": "x"}},
    "DELETE /v1/admin/user-memories/{memory_id}": lambda v: {"params": {"member_id": v.ids["member"]}},
    "PATCH /v1/projects/{project_id}": lambda v: {"json": {"name": "taken over"}},
    "POST /v1/projects/{project_id}/documents": lambda v: {"files": [("files", ("x.csv", b"a,b\n1,2\n"))]},
}
# Open WebUI's routes (docs/openwebui.md), served under /api/v1 and again under /api.
WEBUI_BODIES: dict[str, dict[str, Any]] = {
    "POST /chats/{chat_id}": {"chat": {"title": "taken over"}},
    "POST /chats/{chat_id}/messages/{message_id}": {"content": "taken over"},
    "POST /chats/{chat_id}/folder": {"folder_id": None},
    "POST /chats/{chat_id}/tags": {"name": "planted"},
    "DELETE /chats/{chat_id}/tags": {"name": "planted"},
    "POST /chats/{chat_id}/pin": {},
    "POST /chats/{chat_id}/archive": {},
    "POST /chats/{chat_id}/share": {},
    "POST /chats/{chat_id}/clone": {},
    "POST /chats/{chat_id}/fork": {},
    "POST /chats/{share_id}/clone/shared": {},
    "POST /folders/{folder_id}/update": {"name": "taken over"},
    "POST /folders/{folder_id}/update/parent": {"parent_id": None},
    "POST /folders/{folder_id}/update/expanded": {"is_expanded": True},
}
WEBUI_OWN_SCOPE = {
    "POST /chats/new",
    "POST /chats/import",
    "DELETE /chats/",
    "DELETE /chats",
    "POST /chats/archive/all",
    "POST /chats/unarchive/all",
    "POST /chats/tags",
    "DELETE /chats/share/all",
    "POST /folders/",
    "POST /folders",
    "POST /auths/api_key",
    "DELETE /auths/api_key",
}
for _prefix in ("/api/v1", "/api"):
    for _key, _body in WEBUI_BODIES.items():
        _method, _path = _key.split(" ")
        BODIES[f"{_method} {_prefix}{_path}"] = lambda v, body=_body: {"json": body}
# Valid values for the other string fields of a request, so that only its ids are wrong.
SAMPLE_STRINGS = {
    "message": "how many orders",
    "content": "probe",
    "title": "probe",
    "query": "probe",
    "display_name": "probe",
    "filename": "x.csv",
    "feedback": "positive",
    "name": "probe",
    "text": "probe",
}
# RPCs that take ids but act on the caller's own among them only (nothing of a victim's: checked).
ANSWER_ONLY_YOURS = {
    "DeleteChats",
    "DeleteChatUploads",
    "GetUploads",
    "SearchUploadChunks",
    "StreamWebuiChats",
}
# RPCs that only create the caller's own resources, an optional foreign id being dropped (each call
# would also spend the caller's chat-creation budget): not attacked here.
OWN_SCOPE_RPCS = {"ImportWebuiChats"}
# Routes that act only on the caller's own scope: nothing of anyone else's to aim at.
OWN_SCOPE = {
    "POST /v1/authenticate",
    "POST /v1/queries",
    "POST /v1/integrations",
    "POST /v1/user-memories",
    "POST /v1/organization-rules",
    "POST /v1/projects",
    "GET /healthz",
    *(f"{k.split(' ')[0]} {prefix}{k.split(' ')[1]}" for prefix in ("/api/v1", "/api") for k in WEBUI_OWN_SCOPE),
}


@dataclass
class Principal:
    org: Org
    email: str
    admin: bool
    token: str = ""
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _owned_resources(stack: Stack, who: Principal, integration: str) -> None:
    """One of every resource, owned by `who` (org-level ones made by the admin)."""
    with httpx.Client(base_url=stack.gateway_url, headers=who.headers, timeout=60) as http:
        chat = create_chat(http, integration_id=integration)
        who.ids["chat"] = chat["id"]
        _, events = sse_turn(stack.gateway_url, who.token, {"chat_id": chat["id"], "message": "how many orders"})
        assert events[-1][0] == "message", events
        who.ids["message"] = events[0][1]["user_message_id"]
        stored = post_files(http, chat["id"], ("data.csv", b"region,units\nNorth,3\n", "text/csv"))
        assert stored.status_code == 200, stored.text
        who.ids["upload"] = stored.json()["uploads"][0]["id"]
        who.ids["memory"] = http.post("/v1/user-memories", json={"content": f"memory of {who.email}"}).json()["id"]
        who.ids["folder"] = http.post("/api/v1/folders/", json={"name": f"folder of {who.email}"}).json()["id"]
        who.ids["share"] = http.post(f"/api/v1/chats/{chat['id']}/share").json()["share_id"]
        who.ids["member"] = chat["member_id"]


@pytest.fixture(scope="module")
def world(stack: Stack) -> Iterator[list[Principal]]:
    principals = []
    for name in ("A", "B"):
        org = make_org(stack, f"Isolation {name}")
        integration = add_integration(stack, org.id)
        admin = Principal(org, f"admin@{name.lower()}.example", admin=True)
        member = Principal(org, f"member@{name.lower()}.example", admin=False)
        make_admin(stack, org.id, admin.email)
        for who in (admin, member):
            who.token = org.token(who.email)
            _owned_resources(stack, who, integration)
        with httpx.Client(base_url=stack.gateway_url, headers=admin.headers, timeout=30) as http:
            query = http.post("/v1/queries", json={"title": "Orders", "prompt": "how many orders"}).json()["id"]
            rule = http.post("/v1/organization-rules", json={"content": f"rule of {name}"}).json()["id"]
            project = http.post("/v1/projects", json={"name": f"project of {name}"}).json()["id"]
            stored = http.post(
                f"/v1/projects/{project}/documents", files=[("files", ("notes.csv", b"region,units\nNorth,3\n"))]
            )
            document = stored.json()["documents"][0]["id"]
        for who in (admin, member):
            who.ids.update(integration=integration, query=query, rule=rule, project=project, document=document)
        principals += [admin, member]
    yield principals


def _victims(caller: Principal, world: list[Principal], kinds: set[str]) -> Iterator[Principal]:
    """Whose ids `caller` must not reach through a route or RPC that takes ids of these kinds."""
    for other in world:
        if other is caller:
            continue
        same_org = other.org.id == caller.org.id
        if same_org and not (kinds & MEMBER_SCOPED):
            continue  # org-level resources are shared within the organization by design
        yield other


def _routes() -> list[tuple[str, str]]:
    out = []
    for route in create_app().routes:
        if isinstance(route, WebSocketRoute):
            out.append(("WS", route.path))
        elif isinstance(route, Route):
            out += [(m, route.path) for m in sorted((route.methods or set()) - {"HEAD"})]
    return out


def test_every_route_refuses_every_other_principals_ids(stack: Stack, world: list[Principal]) -> None:
    attacked = 0
    for method, path in _routes():
        key = f"{method} {path}"
        if key in OWN_SCOPE or method == "WS" or path.startswith("/console") or path == "/":
            continue
        has_params = "{" in path
        if method == "GET" and not has_params and key not in BODIES:
            continue  # a listing of the caller's own: checked for leaks below
        if not has_params and key not in BODIES:
            pytest.fail(f"{key}: describe its body in BODIES, or list it in OWN_SCOPE")
        if method in ("POST", "PUT", "PATCH") and has_params and key not in BODIES:
            pytest.fail(f"{key}: describe its body in BODIES")
        params = re.findall(r"{(\w+)}", path)
        unknown = [p for p in params if p not in PARAM_KIND]
        assert not unknown, f"{key}: the isolation matrix does not know the id kind of {unknown}: add it to PARAM_KIND"
        kinds = {PARAM_KIND[p] for p in params} | _body_kinds(key)
        for caller in world:
            for victim in _victims(caller, world, kinds):
                if ADMIN_ROUTES.search(key) and caller.admin and victim.org.id == caller.org.id:
                    continue  # an admin managing their own organization's members: the feature itself
                url = stack.gateway_url + path.format(**{p: victim.ids[PARAM_KIND[p]] for p in PARAM_KIND})
                extra = BODIES[key](victim) if key in BODIES else {}
                resp = httpx.request(method, url, headers=caller.headers, timeout=60, **extra)
                allowed = {404} | ({403} if ADMIN_ROUTES.search(key) and not caller.admin else set())
                if key == "DELETE /v1/chats":  # bulk delete answers which ids it did not find
                    assert resp.status_code in allowed | {200}, (key, caller.email, resp.text)
                    if resp.status_code == 200:
                        assert resp.json()["deleted"] == [] and resp.json()["not_found"] == [victim.ids["chat"]]
                else:
                    assert resp.status_code in allowed, (key, caller.email, victim.email, resp.status_code, resp.text)
                attacked += 1
    assert attacked > 100


def _body_kinds(key: str) -> set[str]:
    if key not in BODIES:
        return set()
    probe = Principal(org=None, email="", admin=False, ids={k: f"<{k}>" for k in MEMBER_SCOPED | ORG_SCOPED})  # type: ignore[arg-type]
    text = json.dumps(BODIES[key](probe), default=str)
    return {k for k in MEMBER_SCOPED | ORG_SCOPED if f"<{k}>" in text}


def test_no_listing_shows_another_principals_resources(stack: Stack, world: list[Principal]) -> None:
    listings = [path for method, path in _routes() if method == "GET" and "{" not in path and path.startswith("/v1/")]
    assert "/v1/chats" in listings and "/v1/user-memories" in listings
    for caller in world:
        for path in listings:
            resp = httpx.get(stack.gateway_url + path, headers=caller.headers, params=None, timeout=30)
            text = resp.text
            for other in world:
                if other is caller:
                    continue
                for kind, value in other.ids.items():
                    if other.org.id == caller.org.id and kind in ORG_SCOPED:
                        continue
                    if other.org.id == caller.org.id and value in caller.ids.values():
                        continue
                    assert value not in text, (caller.email, path, f"{other.email}'s {kind}")


def test_every_rpc_refuses_every_other_principals_ids(stack: Stack, world: list[Principal]) -> None:
    """Each RPC of the Chat and Upload services whose request names a resource, called over gRPC."""
    for who in world:  # fresh tokens: fresh per-token budgets, whatever the other tests spent
        who.token = who.org.token(who.email)
    files = _generated_modules()
    attacked = 0
    for module in files:
        for service in module.DESCRIPTOR.services_by_name.values():
            target = stack.upload_target if service.full_name.startswith("trellis.v1.Upload") else stack.chat_target
            with grpc.insecure_channel(target) as channel:
                for method in service.methods:
                    kinds = _request_kinds(method.input_type)
                    if not kinds or method.name in OWN_SCOPE_RPCS:
                        continue  # acts on the caller's own scope only
                    for caller in world:
                        for victim in _victims(caller, world, kinds):
                            if service.name == "AdminMemoryService" and caller.admin and victim.org is caller.org:
                                continue  # an admin managing their own organization's members
                            code = _call(channel, service, method, caller, victim)
                            admin_only = service.name in ("OrganizationRuleService", "AdminMemoryService") or (
                                service.name in ("IntegrationService", "SavedQueryService")
                                and not method.name.startswith(("List", "Get"))
                            )
                            allowed = {grpc.StatusCode.NOT_FOUND} | (
                                {grpc.StatusCode.PERMISSION_DENIED} if admin_only and not caller.admin else set()
                            )
                            if method.name in ANSWER_ONLY_YOURS:
                                allowed.add(grpc.StatusCode.OK)  # with nothing of the victim's: checked in _call
                            assert code in allowed, (service.name, method.name, caller.email, victim.email, code)
                            attacked += 1
    assert attacked > 50
    _everything_still_there(stack, world)


def _generated_modules() -> list[Any]:
    """Every generated *_pb2 module: a new proto's RPCs are attacked without being listed here."""
    package = importlib.import_module("services.common.gen.trellis.v1")
    names = [m.name for m in pkgutil.iter_modules(package.__path__) if m.name.endswith("_pb2")]
    return [importlib.import_module(f"services.common.gen.trellis.v1.{name}") for name in sorted(names)]


def _request_kinds(message: descriptor.Descriptor) -> set[str]:
    kinds = set()
    for f in message.fields:
        name = f.name[:-1] if f.name.endswith("_ids") else f.name
        if name in PARAM_KIND:
            kinds.add(PARAM_KIND[name])
        elif f.message_type is not None and f.name == "header":
            kinds |= _request_kinds(f.message_type)
    return kinds


def _fill(message: Any, victim: Principal) -> Any:
    for f in message.DESCRIPTOR.fields:
        plural = f.name.endswith("_ids")
        name = f.name[:-1] if plural else f.name
        if name in PARAM_KIND:
            value = victim.ids[PARAM_KIND[name]]
            if plural:
                getattr(message, f.name).append(value)
            else:
                setattr(message, f.name, value)
        elif f.type == descriptor.FieldDescriptor.TYPE_STRING and not f.is_repeated:
            if f.name in SAMPLE_STRINGS:
                setattr(message, f.name, SAMPLE_STRINGS[f.name])
            elif f.name.endswith("_json"):
                setattr(message, f.name, "{}")  # an (empty) JSON document, so only the ids are wrong
        elif f.message_type is not None and f.name == "header":
            _fill(getattr(message, f.name), victim)
    return message


def _call(channel: grpc.Channel, service: Any, method: Any, caller: Principal, victim: Principal) -> grpc.StatusCode:
    """The call's status; an OK answer must not carry anything of the victim's (checked here)."""
    request_class = _message_class(method.input_type)
    request = _fill(request_class(), victim)
    path = f"/{service.full_name}/{method.name}"
    serialize, deserialize = request_class.SerializeToString, _message_class(method.output_type).FromString
    md = bearer_metadata(caller.token)
    try:
        if method.client_streaming:
            call = channel.stream_unary(path, request_serializer=serialize, response_deserializer=deserialize)
            answers = [call(iter([request]), metadata=md, timeout=30)]
        elif method.server_streaming:
            call = channel.unary_stream(path, request_serializer=serialize, response_deserializer=deserialize)
            answers = list(call(request, metadata=md, timeout=30))
        else:
            call = channel.unary_unary(path, request_serializer=serialize, response_deserializer=deserialize)
            answers = [call(request, metadata=md, timeout=30)]
    except grpc.RpcError as err:
        return err.code()
    for answer in answers:
        if method.name == "DeleteChats":  # it names the ids it did not find: an echo of the request
            assert not answer.deleted, (method.name, caller.email, answer)
        else:
            text = str(answer)
            assert not any(value in text for value in victim.ids.values()), (method.name, caller.email, answer)
    return grpc.StatusCode.OK


def _message_class(message: descriptor.Descriptor) -> Any:
    return message_factory.GetMessageClass(message)


def _everything_still_there(stack: Stack, world: list[Principal]) -> None:
    """After all the attacks, every owner still has exactly what they had."""
    for who in world:
        with httpx.Client(base_url=stack.gateway_url, headers=who.headers, timeout=30) as http:
            chat = http.get(f"/v1/chats/{who.ids['chat']}")
            assert chat.status_code == 200 and chat.json()["title"] != "taken over"
            assert [m["role"] for m in chat.json()["messages"]] == ["user", "assistant"]
            uploads = http.get(f"/v1/chats/{who.ids['chat']}/uploads").json()["uploads"]
            assert [u["id"] for u in uploads] == [who.ids["upload"]]
            memories = http.get("/v1/user-memories").json()["user_memories"]
            assert [m["content"] for m in memories] == [f"memory of {who.email}"]
            project = http.get(f"/v1/projects/{who.ids['project']}").json()
            assert project["name"].startswith("project of ")
            documents = http.get(f"/v1/projects/{who.ids['project']}/documents").json()["documents"]
            assert [d["id"] for d in documents] == [who.ids["document"]]
