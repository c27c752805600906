"""Follow-up questions through the real system: SSE and WebSocket turns of one chat, a restart of the
Chat service in the middle, and an edited question — each follow-up answers exactly what the same
question asked on its own answers (the context comes from the stored history only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Org, make_org, start_stack
from tests.helpers import add_integration, chat_messages, create_chat
from tests.turn_clients import sse_edit, sse_turn, ws_turn

pytestmark = pytest.mark.storage


@pytest.fixture(scope="module")
def own_stack(request, tmp_path_factory) -> Iterator:
    """A stack of this module's own: the test restarts its Chat service."""
    yield from start_stack(request, tmp_path_factory.mktemp("followups"), with_upload=False)


@pytest.fixture(scope="module")
def org(own_stack) -> Org:
    return make_org(own_stack)


@pytest.fixture(scope="module")
def integration(own_stack, org: Org) -> str:
    return add_integration(own_stack, org.id)


def _final(events: list[tuple[str, dict]]) -> dict[str, Any]:
    assert events and events[-1][0] == "message", events[-3:]
    return events[-1][1]


def _ask(stack, org: Org, chat_id: str, question: str, transport: str) -> list[tuple[str, dict]]:
    body = {"chat_id": chat_id, "message": question}
    if transport == "ws":
        return ws_turn(stack.gateway_url, org.token(), body)
    resp, events = sse_turn(stack.gateway_url, org.token(), body)
    assert resp.status_code == 200, resp.text
    return events


def _last_answer(org: Org, chat_id: str) -> dict[str, Any]:
    with org.client() as http:
        answer = chat_messages(http, chat_id)[-1]
    assert answer["role"] == "assistant"
    return answer


def _standalone(stack, org: Org, integration: str, question: str) -> dict[str, Any]:
    """The stored answer to `question` asked as the first turn of a fresh chat."""
    with org.client() as http:
        chat_id = create_chat(http, integration_id=integration)["id"]
    _final(_ask(stack, org, chat_id, question, "sse"))
    answer = _last_answer(org, chat_id)
    assert not answer["metadata"].get("declined"), answer["content"]
    return answer


def _same_result(followup: dict[str, Any], standalone: dict[str, Any]) -> None:
    assert not followup["metadata"].get("declined"), followup["content"]
    got, want = followup["metadata"]["result"], standalone["metadata"]["result"]
    assert sorted(map(repr, got["rows"])) == sorted(map(repr, want["rows"])), (followup["content"], got, want)
    assert want["rows"], "the stand-alone question must have an answer to compare with"


def _charts(events: list[tuple[str, dict]]) -> list[str]:
    return [data["chart_type"] for name, data in events if name == "visualization" and data["type"] == "chart"]


def test_a_chain_of_follow_ups_over_sse_and_websocket_survives_a_restart(own_stack, org, integration) -> None:
    with org.client() as http:
        chat_id = create_chat(http, integration_id=integration)["id"]

    _final(_ask(own_stack, org, chat_id, "Total sales by region in 2025", "sse"))
    _same_result(_last_answer(org, chat_id), _standalone(own_stack, org, integration, "Total sales by region in 2025"))

    _final(_ask(own_stack, org, chat_id, "and by quarter?", "ws"))
    by_quarter = _last_answer(org, chat_id)
    _same_result(by_quarter, _standalone(own_stack, org, integration, "Total sales by region and quarter in 2025"))
    assert "previous question" in by_quarter["content"]  # the answer says how it read the follow-up

    # Nothing lives in the process: the next follow-up is read from the stored history alone.
    own_stack.restart("chat")

    _final(_ask(own_stack, org, chat_id, "only Europe", "sse"))
    europe = _last_answer(org, chat_id)
    europe_alone = _standalone(own_stack, org, integration, "Total sales in Europe by quarter in 2025")
    _same_result(europe, europe_alone)

    events = _ask(own_stack, org, chat_id, "show that as a pie chart", "ws")
    _final(events)
    assert _charts(events) == ["pie"]
    _same_result(_last_answer(org, chat_id), europe_alone)

    _final(_ask(own_stack, org, chat_id, "what about 2024?", "sse"))
    _same_result(
        _last_answer(org, chat_id), _standalone(own_stack, org, integration, "Total sales in Europe by quarter in 2024")
    )

    # A question that stands on its own carries no filter over from the conversation.
    _final(_ask(own_stack, org, chat_id, "How many customers are there?", "ws"))
    _same_result(_last_answer(org, chat_id), _standalone(own_stack, org, integration, "How many customers are there?"))


def test_an_edited_follow_up_is_read_with_the_history_before_it(own_stack, org, integration) -> None:
    with org.client() as http:
        chat_id = create_chat(http, integration_id=integration)["id"]
    _final(_ask(own_stack, org, chat_id, "Total sales by quarter in 2025", "sse"))
    _final(_ask(own_stack, org, chat_id, "only Europe", "ws"))
    _final(_ask(own_stack, org, chat_id, "what about 2024?", "sse"))
    with org.client() as http:
        europe_question = next(m for m in chat_messages(http, chat_id) if m["content"] == "only Europe")

    resp, events = sse_edit(own_stack.gateway_url, org.token(), chat_id, europe_question["id"], "only Asia Pacific")
    assert resp.status_code == 200, resp.text
    _final(events)
    with org.client() as http:
        history = chat_messages(http, chat_id)
    # the edit starts a new branch: the later turns ("what about 2024?") are not part of its context
    questions = [m["content"] for m in history if m["role"] == "user"]
    assert questions == ["Total sales by quarter in 2025", "only Asia Pacific"]
    _same_result(
        history[-1], _standalone(own_stack, org, integration, "Total sales in Asia Pacific by quarter in 2025")
    )


def test_a_follow_up_with_a_word_it_cannot_place_is_declined(own_stack, org, integration) -> None:
    with org.client() as http:
        chat_id = create_chat(http, integration_id=integration)["id"]
    _final(_ask(own_stack, org, chat_id, "Total sales by region in 2025", "sse"))
    _final(_ask(own_stack, org, chat_id, "only the refurbished ones", "ws"))
    answer = _last_answer(org, chat_id)
    assert answer["metadata"]["declined"] is True
    assert "refurbished" in answer["metadata"]["unmapped_terms"]
    assert "sql" not in answer["metadata"]
