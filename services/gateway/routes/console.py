"""The web console (/console): static files served by the gateway itself, no RPC behind them.

The console is plain ES modules (no build step) with ECharts vendored under `console/vendor/`;
it calls only the public API, from the same origin. `/` redirects to it.

Every file is sent with `Cache-Control: no-cache`: the browser keeps it but revalidates it with
its ETag on each load, so a new version of the gateway is never mixed with stale modules.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"
PATH = "/console"

# Explicit types: the host's mimetypes table may not know .mjs, or may call .js application/x-javascript.
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".md": "text/plain; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE, NOTICE
}
# Same origin only: the API, its WebSocket, and the vendored library. Uploaded files open from
# their presigned URLs (another origin) as links, which this policy does not restrict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


class ConsoleFiles(StaticFiles):
    """StaticFiles with the console's content types and headers (index.html for the folder)."""

    def file_response(
        self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        suffix = Path(full_path).suffix.lower()
        if suffix in MEDIA_TYPES and response.status_code != 304:
            response.headers["content-type"] = MEDIA_TYPES[suffix]
        response.headers.update(HEADERS)
        return response


async def root(_request: Request) -> Response:
    return RedirectResponse(f"{PATH}/", status_code=307)


routes = [
    Route("/", root, methods=["GET"]),
    # /console (no slash) is redirected to /console/ by the router; /console/ serves index.html.
    Mount(PATH, app=ConsoleFiles(directory=CONSOLE_DIR, html=True), name="console"),
]
