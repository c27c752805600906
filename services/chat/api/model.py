"""trellis.v1.ModelService: the engines a chat may use (docs/api.md)."""

from __future__ import annotations

import grpc

from services.chat.engines.registry import EngineRegistry
from services.common.gen.trellis.v1 import model_pb2, model_pb2_grpc


class ModelServicer(model_pb2_grpc.ModelServiceServicer):
    def __init__(self, engines: EngineRegistry) -> None:
        self._engines = engines

    async def ListModels(  # noqa: N802
        self, request: model_pb2.ListModelsRequest, context: grpc.aio.ServicerContext
    ) -> model_pb2.ListModelsResponse:
        models = [
            model_pb2.Model(model_id=e.model_id, display_name=e.display_name, description=e.description)
            for e in self._engines.all()
        ]
        return model_pb2.ListModelsResponse(models=models, default=self._engines.default)
