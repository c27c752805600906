"""Every REST route but /healthz, /metrics, /openapi.json, /v1/authenticate and the web console refuses a request
without a valid token."""

from __future__ import annotations

import httpx
from starlette.routing import Route

from services.gateway.app import create_app
from tests.helpers import assert_error

# "/" redirects to the web console's static files (/console/); /metrics and /openapi.json are for operators and
# client generators (tests/observability).
PUBLIC = {"/healthz", "/v1/authenticate", "/", "/metrics", "/openapi.json"}


def test_every_route_refuses_missing_and_forged_tokens(stack) -> None:
    routes = [
        (m, r.path)
        for r in create_app().routes
        if isinstance(r, Route) and r.path not in PUBLIC
        for m in sorted((r.methods or set()) - {"HEAD"})
    ]
    assert len(routes) > 30  # the whole API, not an empty list
    fake_id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
    for header in (None, "Bearer forged.token.value"):
        headers = {"Authorization": header} if header else {}
        for method, path in routes:
            url = stack.gateway_url + path.format(
                **{
                    k: fake_id
                    for k in (
                        "chat_id",
                        "message_id",
                        "upload_id",
                        "query_id",
                        "memory_id",
                        "rule_id",
                        "integration_id",
                        "project_id",
                        "document_id",
                        "folder_id",  # Open WebUI's folders and shares (docs/openwebui.md)
                        "share_id",
                    )
                }
            )
            resp = httpx.request(method, url, headers=headers, json={"chat_id": fake_id, "message": "x"})
            assert_error(resp, 401, "UNAUTHENTICATED")
