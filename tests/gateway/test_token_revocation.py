"""Revoking an API key, removing a member or deleting an organization ends their tokens everywhere.

The services reuse a token's "still valid" answer for TOKEN_CHECK_CACHE_SECONDS (5 s by default):
that is the documented staleness bound, so these tests wait up to a little more than that.
"""

from __future__ import annotations

import subprocess
import sys

import grpc
import httpx
import pytest

from devstack.stack import ROOT, Stack
from services.common.gen.trellis.v1 import upload_pb2, upload_pb2_grpc
from tests.conftest import make_org
from tests.helpers import assert_error, bearer, bearer_metadata, create_chat
from tests.waiting import wait_until

pytestmark = pytest.mark.storage
STALENESS = 10  # seconds: the 5 s cache plus slack


def _admin(stack: Stack, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "services.chat.admin", *args],
        cwd=ROOT,
        env=stack.service_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _refused_everywhere(stack: Stack, token: str, chat_id: str) -> None:
    """The gateway's routes to both services and a direct gRPC call to the Upload service all say 401."""

    def chat_refused() -> bool:
        return httpx.get(f"{stack.gateway_url}/v1/chats", headers=bearer(token)).status_code == 401

    wait_until(chat_refused, "the Chat service refuses the token", timeout=STALENESS)
    wait_until(
        lambda: httpx.get(f"{stack.gateway_url}/v1/chats/{chat_id}/uploads", headers=bearer(token)).status_code == 401,
        "the Upload service refuses the token",
        timeout=STALENESS,
    )
    resp = httpx.get(f"{stack.gateway_url}/v1/chats", headers=bearer(token))
    assert "revoked" in assert_error(resp, 401, "UNAUTHENTICATED")["detail"]
    with grpc.insecure_channel(stack.upload_target) as channel, pytest.raises(grpc.RpcError) as info:
        upload_pb2_grpc.UploadServiceStub(channel).ListUploads(
            upload_pb2.ListUploadsRequest(chat_id=chat_id), metadata=bearer_metadata(token), timeout=10
        )
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_revoked_api_key_ends_its_tokens_and_signs_in_no_more(stack) -> None:
    org = make_org(stack)
    spare = _admin(stack, "create-api-key", "--org", org.id).strip()  # another key of the organization
    token = org.token()
    with org.client() as http:
        chat_id = create_chat(http)["id"]
        assert http.get(f"/v1/chats/{chat_id}/uploads").status_code == 200
    listed = _admin(stack, "list-api-keys", "--org", org.id)
    key_id = next(line.split()[0] for line in listed.splitlines() if line.split()[1] == org.api_key[:8] + "…")
    assert "done" in _admin(stack, "revoke-api-key", "--org", org.id, "--id", key_id)
    _refused_everywhere(stack, token, chat_id)
    resp = httpx.post(
        f"{stack.gateway_url}/v1/authenticate", headers={"X-API-Key": org.api_key}, json={"email": "user@example.com"}
    )
    assert_error(resp, 401, "UNAUTHENTICATED")
    # The organization's other key, and the data, are untouched.
    fresh = httpx.post(
        f"{stack.gateway_url}/v1/authenticate", headers={"X-API-Key": spare}, json={"email": "user@example.com"}
    ).json()["token"]
    assert httpx.get(f"{stack.gateway_url}/v1/chats/{chat_id}", headers=bearer(fresh)).status_code == 200


def test_a_removed_member_and_a_deleted_organization_lose_their_tokens(stack) -> None:
    org = make_org(stack)
    leaver, stayer = org.token("leaver@example.com"), org.token("stayer@example.com")
    with org.client("leaver@example.com") as http:
        chat_id = create_chat(http)["id"]
    assert "done" in _admin(stack, "remove-member", "--org", org.id, "--email", "leaver@example.com")
    _refused_everywhere(stack, leaver, chat_id)
    assert httpx.get(f"{stack.gateway_url}/v1/chats", headers=bearer(stayer)).status_code == 200
    assert "done" in _admin(stack, "delete-org", "--org", org.id)
    _refused_everywhere(stack, stayer, chat_id)
