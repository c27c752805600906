"""Headless Chromium (Debian's `chromium` + `chromium-driver`) driven by Selenium, one per module.

Nothing is downloaded at run time: the driver is /usr/bin/chromedriver, given to Selenium
explicitly (so Selenium Manager never runs), and the browser is /usr/bin/chromium. Without them
the tests skip, or fail with CI=true (`.ci/run` installs them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import missing

CHROMIUM = Path(os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
WINDOW = (1280, 1000)


def new_browser() -> Any:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        missing(
            f"headless Chromium is not installed ({CHROMIUM}, {CHROMEDRIVER}): "
            "apt-get install -y chromium chromium-driver"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        missing(f"selenium is not installed ({exc}): install the dev dependencies")
    os.environ.setdefault("SE_OFFLINE", "true")  # belt and braces: Selenium Manager may not download
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",  # root in a container
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=en-US",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = new_browser()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_REPORT] = report
    return report


_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.fixture(autouse=True)
def screenshot_on_failure(request: pytest.FixtureRequest, screenshots: Path) -> Iterator[None]:
    """A failed test leaves a screenshot of the page as it was (FAILED-<test>.png), for CI artifacts."""
    yield
    report = request.node.stash.get(_REPORT, None)
    if report is None or not report.failed or "browser" not in request.fixturenames:
        return
    from selenium.common.exceptions import WebDriverException

    driver = request.getfixturevalue("browser")
    try:
        driver.save_screenshot(str(screenshots / f"FAILED-{request.node.name}.png"))
    except WebDriverException as exc:  # an alert left open, a dead browser: the report matters more
        print(f"no screenshot of the failure: {exc}")


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the console tests write their screenshots (kept as test artifacts)."""
    chosen = os.environ.get("CONSOLE_SCREENSHOTS_DIR")
    out = Path(chosen) if chosen else tmp_path_factory.mktemp("console-screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out
