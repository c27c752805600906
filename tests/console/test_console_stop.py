"""Stopping a turn from the console: the WebSocket `interrupt` action, and hanging up an SSE stream.

The Chat service streams slowly here (ENGINE_STREAM_DELAY_MS), as in tests/gateway/test_slow_turns.py,
so that there is a turn to stop.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Org, make_org, start_stack
from tests.console.console_page import ConsolePage
from tests.helpers import add_integration, chat_messages
from tests.waiting import wait_until

EMAIL = "stopper@example.com"
QUESTION = "which tables are there"  # the longest answer the engine gives: ~40 deltas


@pytest.fixture(scope="module")
def slow_stack(request, tmp_path_factory) -> Iterator:
    env = {"ENGINE_STREAM_DELAY_MS": "80"}
    yield from start_stack(request, tmp_path_factory.mktemp("console-slow"), with_upload=False, env=env)


@pytest.fixture(scope="module")
def slow_org(slow_stack) -> Org:
    org = make_org(slow_stack, "Console Slow Org")
    add_integration(slow_stack, org.id)
    return org


@pytest.fixture(scope="module")
def page(browser, slow_stack, slow_org, screenshots) -> Iterator[ConsolePage]:
    page = ConsolePage(browser, slow_stack.gateway_url, screenshots)
    page.open()
    page.sign_in(slow_org.api_key, EMAIL)
    yield page
    errors = page.uncaught_errors()
    assert not errors, f"uncaught errors in the page: {errors}"


def stop_mid_answer(page: ConsolePage) -> tuple[str, str]:
    """Asks the long question, presses Stop once some words are in; returns (chat id, text shown)."""
    page.new_chat()
    answer = page.ask(QUESTION)
    text = page.find(".msg-text", answer)
    wait_until(lambda: len(text.text.split()) >= 4, "the answer starts streaming")
    stop = page.find("#stop")
    assert stop.is_displayed()
    stop.click()
    page.wait_done(answer)
    assert not page.find("#stop").is_displayed()
    assert "Interrupted" in [t.text for t in page.find_all(".tag.warn", answer)]
    wait_until(lambda: answer.get_attribute("data-message-id"), "the stored partial answer's id is known")
    return page.js("return window.trellisConsole.conversation.chatId"), text.text


def test_interrupt_over_the_websocket(page: ConsolePage, slow_org: Org) -> None:
    page.set_mode("ws")
    chat_id, shown = stop_mid_answer(page)
    page.screenshot("interrupted-ws")
    with slow_org.client(EMAIL) as http:
        history = chat_messages(http, chat_id)
    assert [m["role"] for m in history] == ["user", "assistant"]
    partial = history[1]
    assert partial["metadata"]["interrupted"] is True
    assert shown.split()[:3] == partial["content"].split()[:3]
    # The socket is still usable after the interrupt; the whole answer is longer than the one stopped.
    answer = page.ask_and_wait(QUESTION)
    with slow_org.client(EMAIL) as http:
        full = chat_messages(http, chat_id)[-1]
    assert answer.get_attribute("data-message-id") == full["id"] and not full["metadata"].get("interrupted")
    assert full["content"].startswith(partial["content"][:20]) and len(partial["content"]) < len(full["content"])


def test_stop_over_sse_hangs_up_and_the_turn_is_stored_as_interrupted(page: ConsolePage, slow_org: Org) -> None:
    page.set_mode("sse")
    chat_id, _ = stop_mid_answer(page)
    with slow_org.client(EMAIL) as http:
        history = chat_messages(http, chat_id)
    assert history[1]["metadata"]["interrupted"] is True
