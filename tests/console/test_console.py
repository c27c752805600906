"""The web console (/console) end to end, in headless Chromium: sign in, ask, charts drawn, edit,
feedback, delete, uploads with progress, the chat list, retry after a rate limit, a narrow screen.

One browser and one signed-in member for the module; each test opens its own chat. Charts are
checked on what was drawn (the SVG shapes ECharts made, and the pixels on screen), not on text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.keys import Keys

from tests.conftest import Org, make_org
from tests.console.console_page import PALETTE, PRIMARY, ConsolePage, pixels_near
from tests.helpers import add_integration, bearer, chat_messages
from tests.waiting import wait_until

EMAIL = "console@example.com"
BAR_QUESTION = "Total sales by region in 2025 as a bar chart"
PIE_QUESTION = "Show revenue by region as a pie chart"
STACKED_QUESTION = "Show orders by channel and status as a stacked bar chart"


@pytest.fixture(scope="module")
def console_org(stack) -> Org:
    org = make_org(stack, "Console Org")
    add_integration(stack, org.id)
    return org


@pytest.fixture(scope="module")
def page(browser, stack, console_org, screenshots) -> Iterator[ConsolePage]:
    page = ConsolePage(browser, stack.gateway_url, screenshots)
    page.open()
    page.sign_in(console_org.api_key, EMAIL)
    yield page
    errors = page.uncaught_errors()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="module")
def http(stack, console_org) -> Iterator[httpx.Client]:
    """The same member, through the API: to check what the console did."""
    with console_org.client(EMAIL) as client:
        yield client


def current_chat(page: ConsolePage) -> str:
    chat_id = page.js("return window.trellisConsole.conversation.chatId")
    assert chat_id, "no chat is open"
    return chat_id


def test_sign_in_keeps_the_token_not_the_key(page: ConsolePage, console_org: Org) -> None:
    page.find("#sign-out").click()
    page.find("#api-key").send_keys("trk_not_a_key")
    page.find("#email").send_keys(EMAIL, Keys.ENTER)
    error = page.find("#signin-error")
    wait_until(lambda: error.is_displayed(), "the refusal is shown")
    assert error.text == "UNAUTHENTICATED Invalid API key"
    page.sign_in(console_org.api_key, EMAIL)
    assert page.find("#who").text == EMAIL
    assert page.find("#integration option").text == "Retail (sqlite)"
    assert page.find("#model").get_attribute("value") == "embedded-sql"
    stored = page.js("return JSON.stringify({...sessionStorage}) + JSON.stringify({...localStorage})")
    assert "token" in stored and console_org.api_key not in stored  # the API key stays in memory only


def test_a_bar_chart_is_drawn_with_its_table_text_and_sql(page: ConsolePage, http: httpx.Client) -> None:
    page.new_chat()
    answer = page.ask_and_wait(BAR_QUESTION)
    statuses = [li.get_attribute("data-status") for li in page.find_all(".statuses li", answer)]
    assert statuses[0] == "starting" and len(statuses) >= 2, statuses

    figure = page.chart(answer, "bar")
    description = page.find(".chart-canvas", figure).get_attribute("aria-label")  # what a screen reader says
    assert description.startswith("Bar chart: ") and re.search(r"North America: \d{1,3}(,\d{3})+\.\d\d;", description)
    shapes = page.svg_shapes(figure)
    assert shapes.get("#1d4ed8", 0) >= 4, f"expected 4 bars in the SVG, found {shapes}"
    painted = pixels_near(page.pixel_colours(figure.find_element("css selector", ".chart-canvas")), PRIMARY)
    assert painted > 5000, f"the bars are not painted: {painted} pixels of the bar colour"

    table = page.find("figure.viz-table", answer)
    assert [th.text for th in page.find_all("th", table)] == ["region", "total_amount"]
    rows = page.find_all("tbody tr", table)
    assert len(rows) == 4 and re.fullmatch(r"\d{1,3}(,\d{3})+\.\d\d", page.find_all("td", rows[0])[1].text)

    # The streamed text is the stored answer; its SQL is folded away until asked for.
    stored = chat_messages(http, current_chat(page))[-1]
    assert answer.get_attribute("data-message-id") == stored["id"]
    first_paragraph = stored["content"].split("\n\n")[0]
    assert page.find(".msg-text p", answer).text == first_paragraph.replace("**", "")
    sql = page.find("details.sql", answer)
    assert sql.get_attribute("open") is None and not page.find("details.sql pre", answer).is_displayed()
    page.click(page.find("details.sql summary", answer))
    assert page.find("details.sql pre", answer).text.startswith("SELECT")
    page.tall_screenshot("bar-chart", page.user_messages()[-1])  # docs/console.png is one of these


def test_a_pie_chart_is_drawn(page: ConsolePage) -> None:
    answer = page.ask_and_wait(PIE_QUESTION, enter=True)
    figure = page.chart(answer, "pie")
    shapes = page.svg_shapes(figure)
    assert len(shapes) >= 4, f"expected a slice per region, each its own colour: {shapes}"
    colours = page.pixel_colours(figure.find_element("css selector", ".chart-canvas"))
    assert all(pixels_near(colours, c) > 500 for c in PALETTE[:3]), "the first three slices are not painted"
    page.screenshot("pie-chart")


def test_editing_a_question_streams_a_new_answer(page: ConsolePage, http: httpx.Client) -> None:
    chat_id = current_chat(page)
    before = chat_messages(http, chat_id)
    assert [m["content"] for m in before if m["role"] == "user"] == [BAR_QUESTION, PIE_QUESTION]
    question = page.user_messages()[-1]
    page.click(page.find("button.edit", question))
    box = page.find(".edit-box textarea", question)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(STACKED_QUESTION)
    page.click(page.find(".edit-box .save-edit", question))
    stacked = 'figure[data-chart-type="stacked_bar"]'
    answer = page.wait_done(wait_until(lambda: page.find_all(stacked) and page.answers()[-1], "the new answer"))

    figure = page.chart(answer, "stacked_bar")
    assert len(page.svg_shapes(figure)) >= 3  # a colour per order status
    assert not page.find_all('figure[data-chart-type="pie"]'), "the answer to the old question is gone"
    questions = [page.find(".user-text", m).text for m in page.user_messages()]
    assert questions == [BAR_QUESTION, STACKED_QUESTION]

    after = chat_messages(http, chat_id)
    assert [m["role"] for m in after] == ["user", "assistant", "user", "assistant"]
    assert after[2]["content"] == STACKED_QUESTION and after[2]["id"] != before[2]["id"]
    assert page.user_messages()[-1].get_attribute("data-message-id") == after[2]["id"]
    assert answer.get_attribute("data-message-id") == after[3]["id"]


def test_feedback_and_deleting_messages(page: ConsolePage, http: httpx.Client) -> None:
    chat_id = current_chat(page)
    answer = page.answers()[0]
    up = page.find("button.thumb-up", answer)
    page.click(up)

    def feedback() -> str | None:
        return chat_messages(http, chat_id)[1]["metadata"].get("feedback")

    wait_until(lambda: feedback() == "positive", "the feedback is stored")
    assert up.get_attribute("aria-pressed") == "true"
    assert page.find("button.thumb-down", answer).get_attribute("aria-pressed") == "false"

    # Opened again from the list, the chat is drawn from its history: charts, tables, feedback.
    page.new_chat()
    page.click(page.find(f'.chat-item[data-chat-id="{chat_id}"] .chat-open'))
    wait_until(lambda: len(page.answers()) == 2, "the history is shown")
    page.chart(page.answers()[0], "bar")
    page.chart(page.answers()[1], "stacked_bar")
    assert page.find("button.thumb-up", page.answers()[0]).get_attribute("aria-pressed") == "true"

    page.click(page.find("button.delete", page.user_messages()[-1]))
    page.driver.switch_to.alert.accept()
    wait_until(lambda: len(page.find_all("#messages > li")) == 2, "the question and its answer are gone")
    assert [m["role"] for m in chat_messages(http, chat_id)] == ["user", "assistant"]


def drop_files(page: ConsolePage, files: list[tuple[str, str, str]]) -> None:
    """Drops files on the composer as a person dragging them from their desktop would."""
    page.js(
        """
        const dt = new DataTransfer();
        for (const [name, text, type] of arguments[0]) dt.items.add(new File([text], name, {type}));
        const zone = document.querySelector('#composer');
        for (const kind of ['dragenter', 'dragover', 'drop']) {
          zone.dispatchEvent(new DragEvent(kind, {dataTransfer: dt, bubbles: true, cancelable: true}));
        }
        """,
        files,
    )


def test_dropped_files_upload_with_progress_and_are_asked_about(page: ConsolePage, http: httpx.Client) -> None:
    page.new_chat()
    rows = ["North,1200.50,3", "South,800,2", "East,99.50,1", "West,400,4"] * 5000  # ~300 KB: progress to watch
    csv = "region,amount,units\n" + "\n".join(rows) + "\n"
    # Every value the bars take, and a slow upload link so that there is something to see.
    page.js(
        """
        window.progressSeen = [];
        new MutationObserver((records) => {
          for (const r of records) {
            if (r.target.tagName === 'PROGRESS') window.progressSeen.push(Number(r.target.value));
          }
        }).observe(document.querySelector('#upload-list'), {subtree: true, attributeFilter: ['value']});
        """
    )
    page.throttle_uploads(400 * 1024)
    try:
        drop_files(page, [("sales.csv", csv, "text/csv"), ("notes.txt", "just some notes", "text/plain")])
        item = wait_until(lambda: page.find_all('.upload-item[data-filename="sales.csv"]'), "the upload is listed")[0]
        bar = page.find("progress", item)
        assert bar.is_displayed()
        wait_until(lambda: 0 < int(bar.get_attribute("value")) < 100, "the bar shows the upload under way")
        page.screenshot("upload-progress")
        wait_until(lambda: "done" in (item.get_attribute("class") or ""), "sales.csv is stored", timeout=30)
    finally:
        page.throttle_uploads(None)
    seen = page.js("return window.progressSeen")
    assert seen[-1] == 100 and any(0 < v < 100 for v in seen), seen
    assert page.find(".state", item).text == "✓ Stored"

    refused = page.find('.upload-item[data-filename="notes.txt"]')
    wait_until(lambda: "failed" in (refused.get_attribute("class") or ""), "notes.txt is refused")
    assert "UNSUPPORTED_MEDIA_TYPE" in page.find(".state", refused).text
    assert page.find(".detail", refused).text.startswith("notes.txt:")
    assert [a.text for a in page.find_all("#attachments .attachment")] == ["sales.csv"]

    answer = page.ask_and_wait("What is the total amount of sales?")  # the attached sales.csv, as a table
    assert "12,500,000" in page.find(".msg-text", answer).text  # (1200.50 + 800 + 99.50 + 400) × 5000
    files = [a.text for a in page.find_all(".files li", page.user_messages()[-1])]
    assert files and files[0].startswith("sales.csv")
    assert not page.find_all("#attachments .attachment"), "the attachments went with the question"
    [stored] = chat_messages(http, current_chat(page))[0]["metadata"]["uploads"]
    assert stored["filename"] == "sales.csv"


def test_chat_list_pages_renames_and_deletes(page: ConsolePage, http: httpx.Client, console_org: Org) -> None:
    for n in range(21):  # 20 creations a minute per token: two tokens
        client = http if n < 10 else httpx.Client(base_url=http.base_url, headers=bearer(console_org.token(EMAIL)))
        assert client.post("/v1/chats/create", json={"title": f"Listed chat {n:02d}"}).status_code == 200
    page.driver.refresh()  # the session survives a reload (the token is in sessionStorage)
    wait_until(lambda: page.visible("#app-view") and page.find_all(".chat-item"), "the chat list is shown")
    total = http.get("/v1/chats").json()["total"]
    pages = (total + 19) // 20
    assert page.text("#page-label") == f"Page 1 of {pages}"
    assert len(page.find_all(".chat-item")) == 20
    page.find("#page-next").click()
    wait_until(lambda: page.text("#page-label") == f"Page 2 of {pages}", "page 2 is shown")
    assert len(page.find_all(".chat-item")) == total - 20
    page.find("#page-prev").click()
    wait_until(lambda: page.text("#page-label") == f"Page 1 of {pages}", "page 1 is shown")

    first = page.find_all(".chat-item")[0]
    chat_id = first.get_attribute("data-chat-id")
    page.find("button.rename", first).click()
    title = page.find(".chat-rename input")
    title.send_keys(Keys.CONTROL, "a")
    title.send_keys("Renamed in the console", Keys.ENTER)
    wait_until(lambda: page.text(".chat-item .title") == "Renamed in the console", "the new title is listed")
    assert http.get(f"/v1/chats/{chat_id}").json()["title"] == "Renamed in the console"

    page.find("button.delete", page.find(f'.chat-item[data-chat-id="{chat_id}"]')).click()
    page.driver.switch_to.alert.accept()
    wait_until(lambda: not page.find_all(f'.chat-item[data-chat-id="{chat_id}"]'), "the chat leaves the list")
    assert http.get(f"/v1/chats/{chat_id}").status_code == 404
    page.sign_in(console_org.api_key, EMAIL)  # the API key again, in memory (tests below refresh the token)


def test_the_token_is_refreshed_with_the_key_in_memory(page: ConsolePage) -> None:
    before = page.js("return window.trellisConsole.session.token")
    page.driver.execute_async_script(
        "const done = arguments[0]; window.trellisConsole.session.refresh().then(() => done(), (e) => done(String(e)))"
    )
    after = page.js("return window.trellisConsole.session.token")
    assert after and after != before
    assert page.js("return JSON.parse(sessionStorage.getItem('trellis.console.session')).token") == after
    answer = page.ask_and_wait("How many customers are there?")  # the new token works
    assert "500" in answer.text


def test_websocket_turns_and_retry_after_a_rate_limit(page: ConsolePage, http: httpx.Client) -> None:
    """Over the WebSocket: answers stream as over SSE; the 4th send in 10 s is refused with
    RATE_LIMIT and retry_after_seconds, and the console's Retry waits that long."""
    page.set_mode("ws")
    page.new_chat()
    for _ in range(3):
        answer = page.ask_and_wait("How many products are there?")
        assert "60" in page.find(".msg-text", answer).text
    refused = page.wait_done(page.ask("How many regions are there?"))
    assert "RATE_LIMIT" in page.find(".error-box code", refused).text
    retry = page.find(".error-box button.retry", refused)
    assert retry.get_attribute("disabled") is not None and retry.text.startswith("Retry in ")
    page.screenshot("retry-after")
    wait_until(lambda: retry.get_attribute("disabled") is None, "Retry is enabled after Retry-After", timeout=15)
    page.click(retry)
    retried = wait_until(lambda: page.answers()[-1] != refused and page.answers()[-1], "the retried turn")
    answer = page.wait_done(retried)
    assert answer.get_attribute("data-message-id") and "4" in page.find(".msg-text", answer).text
    history = chat_messages(http, current_chat(page))
    assert [m["content"] for m in history if m["role"] == "user"][-1] == "How many regions are there?"
    assert len(history) == 8  # the refused send stored nothing
    page.set_mode("sse")


def test_a_narrow_screen(page: ConsolePage) -> None:
    driver: Any = page.driver
    size = driver.get_window_size()
    driver.set_window_size(390, 844)
    try:
        page.open()
        wait_until(lambda: page.visible("#toggle-chats"), "the chats button is shown")
        sidebar = page.find("#sidebar")
        assert page.rect(sidebar)["right"] <= 0  # folded away
        width = page.js("return document.documentElement.clientWidth")
        assert page.js("return document.documentElement.scrollWidth") <= width  # nothing runs off the side
        page.find("#toggle-chats").click()
        wait_until(lambda: page.rect(sidebar)["left"] >= 0, "the drawer opens")
        assert page.find("#toggle-chats").get_attribute("aria-expanded") == "true"
        page.driver.switch_to.active_element.send_keys(Keys.ESCAPE)  # the keyboard closes it
        wait_until(lambda: page.rect(sidebar)["right"] <= 0, "the drawer closes")
        page.find("#toggle-chats").click()
        wait_until(lambda: page.rect(sidebar)["left"] >= 0, "the drawer opens again")
        page.screenshot("narrow-chats")
        page.find("#chat-list .chat-open").click()
        wait_until(lambda: page.find_all("#messages > li"), "the chat opens")
        wait_until(lambda: page.rect(sidebar)["right"] <= 0, "the drawer closes")
        figure = page.find_all("figure.viz")[0]
        assert page.rect(figure)["right"] <= width
        page.screenshot("narrow-chat")
    finally:
        driver.set_window_size(size["width"], size["height"])
