"""What the route table and the protos cannot say: custom bodies, checks the handlers make, security.

Keys are (HTTP method, path template) as the gateway's routes declare them.
"""

from __future__ import annotations

from typing import Any

from services.common.errors import CODES

Schema = dict[str, Any]
Key = tuple[str, str]

ERROR_BODY: Schema = {
    "type": "object",
    "description": "Every error answer of the gateway (docs/api.md, Errors). `debug_id` is the request's id: "
    "the `X-Debug-Id` response header and every log line the request wrote carry it.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "enum": sorted(CODES)},
        "debug_id": {"type": "string"},
        "retry_after_seconds": {"type": "integer", "minimum": 1},
    },
    "required": ["detail", "code", "debug_id"],
}
UPLOAD: Schema = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "filename": {"type": "string"},
        "mime_type": {"type": "string"},
        "file_size": {"type": "integer"},
        "upload_type": {"type": "string"},
        "presigned_url": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "message_id": {"type": ["string", "null"]},
    },
    "required": [
        "id",
        "filename",
        "mime_type",
        "file_size",
        "upload_type",
        "presigned_url",
        "created_at",
        "message_id",
    ],
}
# The `errors` of a multipart upload's partial success: the refused files.
REFUSED_FILES: Schema = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"filename": {"type": "string"}, "code": {"type": "string"}, "detail": {"type": "string"}},
        "required": ["filename", "code", "detail"],
    },
}
# A project's document (routes/projects.py): an upload's fields with its project, never linked to a message.
DOCUMENT: Schema = {
    "type": "object",
    "properties": {
        **{k: v for k, v in UPLOAD["properties"].items() if k != "message_id"},
        "project_id": {"type": "string"},
    },
    "required": [*(f for f in UPLOAD["required"] if f != "message_id"), "project_id"],
}
EXTRA_COMPONENTS: dict[str, Schema] = {"ErrorBody": ERROR_BODY, "Upload": UPLOAD, "Document": DOCUMENT}

# Fields the handlers require (a 400 INVALID_REQUEST naming the field otherwise).
REQUIRED_FIELDS: dict[Key, list[str]] = {
    ("POST", "/v1/authenticate"): ["email"],
    ("POST", "/v1/chats"): ["chat_id", "message"],
    ("PATCH", "/v1/chats/{chat_id}/messages/{message_id}"): ["content"],
    ("PUT", "/v1/chats/{chat_id}"): ["title"],
    ("DELETE", "/v1/chats"): ["chat_ids"],
    ("PATCH", "/v1/chats/messages/{message_id}/feedback"): ["feedback"],
    ("POST", "/v1/user-memories"): ["content"],
    ("PATCH", "/v1/user-memories/{memory_id}"): ["content"],
    ("POST", "/v1/admin/user-memories"): ["member_id", "content"],
    ("PATCH", "/v1/admin/user-memories/{memory_id}"): ["member_id", "content"],
    ("POST", "/v1/organization-rules"): ["content"],
    ("PATCH", "/v1/organization-rules/{rule_id}"): ["content"],
    ("POST", "/v1/integrations"): ["url"],
    ("POST", "/v1/projects"): ["name"],
}
# Query parameters the handlers read: (name, schema, required).
QUERY_PARAMETERS: dict[Key, list[tuple[str, Schema, bool]]] = {
    ("GET", "/v1/chats"): [("page", {"type": "integer", "minimum": 1, "default": 1}, False)],
    ("GET", "/v1/projects"): [("page", {"type": "integer", "minimum": 1, "default": 1}, False)],
    ("GET", "/v1/admin/user-memories"): [("member_id", {"type": "string"}, True)],
    ("DELETE", "/v1/admin/user-memories/{memory_id}"): [("member_id", {"type": "string"}, False)],
}
# Routes answering 204 with no body.
NO_CONTENT: set[Key] = {
    ("DELETE", "/v1/chats/{chat_id}/messages/{message_id}"),
    ("DELETE", "/v1/user-memories/{memory_id}"),
    ("DELETE", "/v1/admin/user-memories/{memory_id}"),
    ("DELETE", "/v1/queries/{query_id}"),
    ("DELETE", "/v1/organization-rules/{rule_id}"),
}
# Fields the gateway writes even when unset, as null (proto3 `optional` would leave them out).
NULLABLE_FIELDS: dict[str, list[str]] = {"trellis_v1_SavedQuery": ["sql"]}
# Routes that need no bearer token.
API_KEY_ROUTES: set[Key] = {("POST", "/v1/authenticate")}
PUBLIC_ROUTES: set[Key] = {
    ("GET", "/healthz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("GET", "/"),
    ("GET", "/console/{path}"),
}

_TURN_EVENTS = (
    "Server-sent events, one `event: <kind>` + `data: <JSON>` frame each (docs/api.md, Turn events): "
    "`chat_metadata` {id, user_message_id} first, `processing` {status}, `visualization` (a table or a chart), "
    "`text_delta` {content}, then `message` {content, id} or `error` {error, code, retryable, debug_id, "
    "error_type[, retry_after_seconds]} last; `: keepalive` comments while nothing else is sent. "
    "A turn refused before its first event answers the JSON error body with its status instead."
)
SSE_RESPONSE: Schema = {
    "description": _TURN_EVENTS,
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}


def _json(schema: Schema, description: str = "OK") -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _files_of(owner: str, items: str, component: str) -> Schema:
    """The stored files of a chat or a project: `{owner: id, items: [component, ...]}`."""
    return {
        "type": "object",
        "properties": {
            owner: {"type": "string"},
            items: {"type": "array", "items": {"$ref": f"#/components/schemas/{component}"}},
        },
        "required": [owner, items],
    }


CUSTOM: dict[Key, Schema] = {
    ("GET", "/healthz"): {
        "summary": "The gateway is up; each backing service's gRPC health",
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "status": {"type": "string", "enum": ["ok"]},
                        "services": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                    "required": ["status", "services"],
                }
            ),
            "503": _json(
                {
                    "type": "object",
                    "properties": {
                        "status": {"type": "string", "enum": ["degraded"]},
                        "services": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                    "required": ["status", "services"],
                },
                "A backing service is not serving",
            ),
        },
    },
    ("GET", "/metrics"): {
        "summary": "The gateway's Prometheus metrics (text exposition format 0.0.4)",
        "responses": {"200": {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}},
    },
    ("GET", "/openapi.json"): {
        "summary": "This document",
        "responses": {"200": _json({"type": "object"})},
    },
    ("GET", "/"): {
        "summary": "Redirects to the web console",
        "responses": {"307": {"description": "Redirect to /console/"}},
    },
    ("GET", "/console/{path}"): {
        "summary": "The web console's static files (HTML, ES modules, CSS, the vendored ECharts)",
        "responses": {
            "200": {"description": "The file", "content": {"*/*": {"schema": {"type": "string"}}}},
            "304": {"description": "Not modified (ETag)"},
            "404": {"description": "No such file", "content": {"text/plain": {"schema": {"type": "string"}}}},
            "405": {"description": "Not GET or HEAD", "content": {"text/plain": {"schema": {"type": "string"}}}},
        },
    },
    ("GET", "/v1/chats/ws"): {
        "summary": "WebSocket: turns as JSON frames (an upgrade; OpenAPI cannot describe the frames)",
        "description": 'Connect with `Authorization: Bearer` or send {"action": "authenticate", "token"} first. '
        "Actions: send_message, edit_message, interrupt, delete_message, ping. Server frames: "
        '{"event": <kind>, "data": <payload>} with the SSE events plus authenticated, pong, heartbeat, '
        "interrupted, deleted. Close codes: 4001 bad token, 4429 more than 3 sockets per token "
        "(docs/api.md, WebSocket).",
        "x-websocket": True,
        "responses": {
            "101": {"description": "Switching protocols: the socket is open"},
            "403": {"description": "Refused at the upgrade (a `?token=` query parameter)"},
            "404": _json({"$ref": "#/components/schemas/ErrorBody"}, "Not a WebSocket request"),
        },
    },
    ("POST", "/v1/chats/uploads"): {
        "summary": "Upload files to a chat (multipart; each file streamed to the Upload service)",
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "chat_id": {"type": "string"},
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        },
                        "required": ["chat_id", "files"],
                    }
                }
            },
        },
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "chat_id": {"type": "string"},
                        "uploads": {"type": "array", "items": {"$ref": "#/components/schemas/Upload"}},
                        "errors": REFUSED_FILES,
                    },
                    "required": ["chat_id", "uploads", "errors"],
                },
                "Stored files in `uploads`, refused ones in `errors`",
            )
        },
    },
    ("GET", "/v1/chats/{chat_id}/uploads"): {
        "responses": {"200": _json(_files_of("chat_id", "uploads", "Upload"))},
    },
    ("DELETE", "/v1/chats/uploads/{upload_id}"): {
        "responses": {
            "200": _json({"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]})
        },
    },
    ("POST", "/v1/projects/{project_id}/documents"): {
        "summary": "Add documents to a project (multipart, admin; as chat uploads, without chat_id)",
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                        "required": ["files"],
                    }
                }
            },
        },
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "documents": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
                        "errors": REFUSED_FILES,
                    },
                    "required": ["documents", "errors"],
                },
                "Stored files in `documents`, refused ones in `errors`",
            )
        },
    },
    ("GET", "/v1/projects/{project_id}/documents"): {
        "responses": {"200": _json(_files_of("project_id", "documents", "Document"))},
    },
}
# Routes answered with a turn's events: the request comes from the RPC, the response is SSE.
STREAMED: set[Key] = {("POST", "/v1/chats"), ("PATCH", "/v1/chats/{chat_id}/messages/{message_id}")}
