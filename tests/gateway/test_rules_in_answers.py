"""Organization rules reach the engine: the embedded engine honours "cite the data source"."""

from __future__ import annotations

import pytest

from tests.helpers import add_integration, create_chat, make_admin, token_of
from tests.turn_clients import sse_turn

pytestmark = pytest.mark.storage


def test_a_rule_to_cite_the_source_is_honoured(stack, org) -> None:
    make_admin(stack, org.id, "boss@example.com")
    integration = add_integration(stack, org.id)
    with org.client("boss@example.com") as boss, org.client("member@example.com") as member:
        chat = create_chat(member, integration_id=integration)["id"]
        token = token_of(member)
        _, before = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": "how many orders"})
        assert "Source:" not in before[-1][1]["content"]
        rule = boss.post("/v1/organization-rules", json={"content": "Always cite the data source of figures."})
        assert rule.status_code == 200
        _, after = sse_turn(stack.gateway_url, token, {"chat_id": chat, "message": "how many orders"})
    content = after[-1][1]["content"]
    assert content.endswith("Source: Retail.")
    assert "".join(d["content"] for n, d in after if n == "text_delta") == content
