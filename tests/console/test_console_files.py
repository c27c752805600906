"""The console's files as the gateway serves them: no stack, no browser (the ASGI app in process)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.routes.console import CONSOLE_DIR


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # The app's lifespan (gRPC clients) is not run: static files need none of it.
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


async def test_the_root_and_the_bare_path_lead_to_the_console(client: httpx.AsyncClient) -> None:
    assert (await client.get("/")).headers["location"] == "/console/"
    assert (await client.get("/console")).headers["location"].endswith("/console/")


async def test_files_have_their_types_and_are_revalidated(client: httpx.AsyncClient) -> None:
    index = await client.get("/console/")
    assert index.status_code == 200 and index.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="js/app.js">' in index.text
    assert index.headers["cache-control"] == "no-cache" and index.headers["etag"]
    assert "default-src 'self'" in index.headers["content-security-policy"]
    module = await client.get("/console/js/app.js")
    assert module.headers["content-type"] == "text/javascript; charset=utf-8"
    assert module.headers["x-content-type-options"] == "nosniff"
    again = await client.get("/console/js/app.js", headers={"If-None-Match": module.headers["etag"]})
    assert again.status_code == 304
    assert (await client.get("/console/console.css")).headers["content-type"] == "text/css; charset=utf-8"
    missing = await client.get("/console/js/nope.js")
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
    assert (await client.get("/console/..%2F..%2Fapp.py")).status_code == 404


async def test_the_charting_library_is_vendored_with_its_licenses(client: httpx.AsyncClient) -> None:
    library = await client.get("/console/vendor/echarts/echarts.esm.min.js")
    assert library.status_code == 200 and library.headers["content-type"].startswith("text/javascript")
    assert len(library.content) > 500_000
    for name in ("LICENSE", "NOTICE", "licenses/LICENSE-zrender", "licenses/LICENSE-d3", "licenses/LICENSE-tslib"):
        assert (CONSOLE_DIR / "vendor" / "echarts" / name).is_file(), name


def test_every_module_import_resolves_to_a_file_and_nothing_comes_from_elsewhere() -> None:
    """No build step: the modules are served as written, so each relative import must exist, and
    nothing may be loaded from another origin (the console works with no network)."""
    sources = [*CONSOLE_DIR.glob("js/**/*.js"), CONSOLE_DIR / "index.html", CONSOLE_DIR / "console.css"]
    assert len(sources) >= 8
    for source in sources:
        text = source.read_text()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), source
        loads = text.replace("http://www.w3.org/2000/svg", "")  # a namespace name, not an address
        assert "@import" not in loads and "http://" not in loads and "https://" not in loads, source
        for target in re.findall(r"""(?:from|import)\s*\(?\s*["'](\.[^"']+)["']""", text):
            assert (source.parent / target).resolve().is_file(), f"{source}: {target}"
    assert (Path(CONSOLE_DIR) / "index.html").is_file()
