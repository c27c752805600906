"""The console as a person uses it, through Selenium: sign in, ask, read answers, look at charts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from tests.waiting import wait_until

TURN_TIMEOUT = 60.0  # generous: CI shares two cores with the whole stack
# The first colours of the console's chart palette (services/gateway/console/js/charts.js).
PALETTE = [(0x1D, 0x4E, 0xD8), (0xD5, 0x5E, 0x00), (0x00, 0x9E, 0x73)]
PRIMARY = PALETTE[0]


class ConsolePage:
    def __init__(self, driver: Any, base_url: str, screenshots: Path) -> None:
        self.driver = driver
        self.base_url = base_url
        self.screenshots = screenshots

    # --- basics -------------------------------------------------------------------------

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def find(self, css: str, root: Any = None) -> WebElement:
        return (root or self.driver).find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str, root: Any = None) -> list[WebElement]:
        return (root or self.driver).find_elements(By.CSS_SELECTOR, css)

    def click(self, element: WebElement) -> None:
        """Clicks like a person who scrolled the element into the middle of its scroll box first."""
        self.js("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})", element)
        element.click()

    def text(self, css: str) -> str | None:
        """The rendered text of the first match, read in one go (no stale element while the page re-renders)."""
        return self.js("return document.querySelector(arguments[0])?.innerText ?? null", css)

    def rect(self, element: WebElement) -> dict[str, float]:
        return self.js("return arguments[0].getBoundingClientRect().toJSON()", element)

    def throttle_uploads(self, bytes_per_second: int | None) -> None:
        """A slow upload link (DevTools network emulation), or none: to watch a progress bar move."""
        self.driver.execute_cdp_cmd("Network.enable", {})
        conditions = {"offline": False, "latency": 20 if bytes_per_second else 0, "downloadThroughput": -1}
        self.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions", {**conditions, "uploadThroughput": bytes_per_second or -1}
        )

    def visible(self, css: str) -> bool:
        found = self.find_all(css)
        return bool(found) and found[0].is_displayed()

    def screenshot(self, name: str) -> Path:
        path = self.screenshots / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def tall_screenshot(self, name: str, top: WebElement, height: int = 1400) -> Path:
        """A screenshot with a taller window, `top` at the top of the messages (for the README)."""
        size = self.driver.get_window_size()
        self.driver.set_window_size(size["width"], height)
        try:
            self.js("arguments[0].scrollIntoView({block: 'start'})", top)
            return self.screenshot(name)
        finally:
            self.driver.set_window_size(size["width"], size["height"])

    def uncaught_errors(self) -> list[str]:
        """Uncaught exceptions (and module load failures) in the page since the last call. The whole
        browser console is appended to browser-console.log beside the screenshots."""
        entries = self.driver.get_log("browser")
        with (self.screenshots / "browser-console.log").open("a") as log:
            log.writelines(f"{e['level']} {e.get('source', '')} {e['message']}\n" for e in entries)
        return [e["message"] for e in entries if e["level"] == "SEVERE" and e.get("source") == "javascript"]

    # --- signing in ----------------------------------------------------------------------

    def open(self) -> None:
        self.driver.get(self.base_url + "/")
        wait_until(lambda: self.visible("#signin-view") or self.visible("#app-view"), "the console is loaded")

    def sign_in(self, api_key: str, email: str) -> None:
        if self.visible("#app-view"):
            self.find("#sign-out").click()
        wait_until(lambda: self.visible("#signin-form"), "the sign-in form is shown")
        self.find("#api-key").clear()
        self.find("#api-key").send_keys(api_key)
        self.find("#email").clear()
        self.find("#email").send_keys(email)
        self.find("#signin-form button[type=submit]").click()
        wait_until(lambda: self.visible("#app-view"), "the console is signed in")
        wait_until(lambda: self.find_all("#model option"), "the models are listed")

    def set_mode(self, mode: str) -> None:
        self.find(f'input[name="mode"][value="{mode}"]').click()
        assert self.js("return window.trellisConsole.mode") == mode

    def new_chat(self) -> None:
        self.find("#new-chat").click()
        wait_until(lambda: not self.find_all("#messages > li"), "the conversation is empty")

    # --- turns --------------------------------------------------------------------------

    def answers(self) -> list[WebElement]:
        return self.find_all("#messages > li.msg.assistant")

    def user_messages(self) -> list[WebElement]:
        return self.find_all("#messages > li.msg.user")

    def ask(self, question: str, *, enter: bool = False) -> WebElement:
        """Types the question, sends it (the Send button, or the Enter key), and returns the new
        answer's element (still streaming)."""
        before = len(self.answers())
        box = self.find("#question")
        box.clear()
        box.send_keys(question)
        if enter:
            box.send_keys(Keys.ENTER)
        else:
            self.find("#send").click()
        return wait_until(lambda: len(self.answers()) > before and self.answers()[-1], "the answer appears")

    def wait_done(self, answer: WebElement, timeout: float = TURN_TIMEOUT) -> WebElement:
        """Waits until the answer is no longer streaming (a message, an error or an interruption)."""

        def done() -> bool:
            classes = answer.get_attribute("class") or ""
            return "streaming" not in classes and not self.find("#send").get_attribute("disabled")

        wait_until(done, "the turn ends", timeout=timeout)
        return answer

    def ask_and_wait(self, question: str, *, enter: bool = False) -> WebElement:
        answer = self.wait_done(self.ask(question, enter=enter))
        assert answer.get_attribute("data-message-id"), f"no stored answer: {answer.text}"
        return answer

    # --- charts -------------------------------------------------------------------------

    def chart(self, answer: WebElement, chart_type: str) -> WebElement:
        figure = wait_until(
            lambda: self.find_all(f'figure.viz-chart[data-chart-type="{chart_type}"][data-rendered="true"]', answer),
            f"a {chart_type} chart is drawn",
        )[0]
        return figure

    def svg_shapes(self, figure: WebElement) -> dict[str, int]:
        """The filled shapes ECharts drew in the chart's SVG, counted by fill colour (axes and text left out)."""
        return self.js(
            """
            const svg = arguments[0].querySelector('.chart-canvas svg');
            if (!svg) return {};
            const out = {};
            for (const p of svg.querySelectorAll('path')) {
              const fill = (p.getAttribute('fill') || '').toLowerCase();
              const box = p.getBBox();
              if (!fill.startsWith('#') || ['#fff', '#ffffff', '#000', '#000000'].includes(fill)) continue;
              if (box.width < 1 || box.height < 1) continue;
              out[fill] = (out[fill] || 0) + 1;
            }
            return out;
            """,
            figure,
        )

    def pixel_colours(self, element: WebElement) -> dict[tuple[int, int, int], int]:
        """The element as painted on screen: how many pixels of each colour (a real render, not DOM text)."""
        self.js("arguments[0].scrollIntoView({block: 'center'})", element)
        image = Image.open(io.BytesIO(element.screenshot_as_png)).convert("RGB")
        return {colour: n for n, colour in image.getcolors(maxcolors=image.width * image.height) or []}


def close_to(colour: tuple[int, int, int], target: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, target, strict=True))


def pixels_near(counts: dict[tuple[int, int, int], int], target: tuple[int, int, int]) -> int:
    return sum(n for colour, n in counts.items() if close_to(colour, target))
