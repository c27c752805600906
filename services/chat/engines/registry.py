"""The models a chat may use (`GET /v1/models`) and the engine behind each."""

from __future__ import annotations

import logging

from services.chat.engines.base import Engine
from services.common.errors import ApiError

log = logging.getLogger(__name__)


class EngineRegistry:
    def __init__(self, engines: list[Engine], default: str | None = None) -> None:
        if not engines:
            raise ValueError("at least one engine is needed")
        self._engines = {e.model_id: e for e in engines}
        if default and default not in self._engines:
            log.warning("DEFAULT_MODEL %r is not an available model; using %r", default, engines[0].model_id)
        self.default = default if default in self._engines else engines[0].model_id

    def get(self, model_id: str | None) -> Engine:
        if not model_id:
            return self._engines[self.default]
        engine = self._engines.get(model_id)
        if engine is None:
            known = ", ".join(self._engines)
            raise ApiError("INVALID_REQUEST", f"model: unknown model '{model_id}' (available: {known})")
        return engine

    def all(self) -> list[Engine]:
        return list(self._engines.values())
