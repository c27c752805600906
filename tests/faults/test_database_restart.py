"""The services' own PostgreSQL goes away and comes back: requests fail fast and retryable, then recover.

The services reach PostgreSQL through a TCP proxy this test controls, so "the database restarts"
is real at the socket level (live connections cut, new ones refused) without touching the server.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import make_url

from devstack.ports import free_port
from devstack.stack import Stack, StackConfig
from tests.conftest import _drop_pg_database, _fresh_pg_database, make_org
from tests.helpers import assert_error, create_chat
from tests.waiting import wait_until

pytestmark = pytest.mark.storage


class TcpProxy:
    """Forwards 127.0.0.1:port to a target; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            if self._listener is not None:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() and stops listening
                self._listener.close()
                self._listener = None
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self._conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._conns += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture(scope="module")
def proxied(request, tmp_path_factory) -> Iterator[tuple[Stack, TcpProxy]]:
    admin = request.getfixturevalue("postgres_server")
    name, url = _fresh_pg_database(admin)
    server = make_url(url)
    proxy = TcpProxy((server.host or "127.0.0.1", server.port or 5432))
    proxy.start()
    through = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    stack = Stack(StackConfig(data_dir=tmp_path_factory.mktemp("db-restart"), database_url=through, quiet=True))
    try:
        stack.start()
        yield stack, proxy
    finally:
        stack.stop()
        proxy.cut()
        _drop_pg_database(admin, name)


def test_a_database_restart_fails_requests_retryably_then_recovers_without_restarting_services(proxied) -> None:
    stack, proxy = proxied
    org = make_org(stack)
    with org.client() as http:
        chat = create_chat(http, title="before the restart")
        proxy.cut()
        resp = http.get("/v1/chats", timeout=30)  # refused connections: an answer, not a hang
        body = assert_error(resp, 503, "DATABASE_UNAVAILABLE")
        assert resp.headers.get("Retry-After") and "retry" in body["detail"].lower()
        assert_error(http.post("/v1/chats/create", json={"title": "during"}, timeout=30), 503, "DATABASE_UNAVAILABLE")
        proxy.start()
        wait_until(lambda: http.get("/v1/chats").status_code == 200, "the Chat service serves again", timeout=30)
        titles = [c["title"] for c in http.get("/v1/chats").json()["chats"]]
        assert titles == ["before the restart"]  # nothing lost, nothing half-written
        assert http.get(f"/v1/chats/{chat['id']}/uploads").status_code == 200  # the Upload service recovered too
    assert httpx.get(f"{stack.gateway_url}/healthz").status_code == 200
