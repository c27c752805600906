"""The chat lifecycle over gRPC directly, as an internal service (or grpcurl) would use it."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.common.errors import from_rpc_error
from services.common.gen.trellis.v1 import chat_pb2, chat_pb2_grpc
from tests.helpers import grpc_metadata

pytestmark = pytest.mark.storage


def test_chat_lifecycle_over_grpc(stack, org) -> None:
    md = grpc_metadata(stack, org.api_key, "grpc@example.com")
    with grpc.insecure_channel(stack.chat_target) as channel:
        chats = chat_pb2_grpc.ChatServiceStub(channel)
        created = chats.CreateChat(chat_pb2.CreateChatRequest(title="Over gRPC"), metadata=md, timeout=10)
        assert created.title == "Over gRPC" and created.organization_id == org.id
        assert not created.HasField("integration_id")

        listing = chats.ListChats(chat_pb2.ListChatsRequest(page=1), metadata=md, timeout=10)
        assert [c.id for c in listing.chats] == [created.id]
        assert listing.total == 1 and not listing.has_more and listing.page_size == 20

        renamed = chats.UpdateChat(chat_pb2.UpdateChatRequest(chat_id=created.id, title="Renamed"), metadata=md)
        assert renamed.title == "Renamed"
        got = chats.GetChat(chat_pb2.GetChatRequest(chat_id=created.id), metadata=md)
        assert got.title == "Renamed" and list(got.messages) == []

        deleted = chats.DeleteChat(chat_pb2.DeleteChatRequest(chat_id=created.id), metadata=md)
        assert deleted.message == "Chat deleted successfully"
        with pytest.raises(grpc.RpcError) as info:
            chats.GetChat(chat_pb2.GetChatRequest(chat_id=created.id), metadata=md)
        assert info.value.code() == grpc.StatusCode.NOT_FOUND
        err = from_rpc_error(info.value)  # ErrorInfo travels in grpc-status-details-bin
        assert err.code == "CHAT_NOT_FOUND" and err.debug_id

        second = chats.CreateChat(chat_pb2.CreateChatRequest(), metadata=md)
        bulk = chats.DeleteChats(chat_pb2.DeleteChatsRequest(chat_ids=[second.id, "nope"]), metadata=md)
        assert list(bulk.deleted) == [second.id] and list(bulk.not_found) == ["nope"] and bulk.deleted_count == 1


def test_grpc_calls_without_a_valid_token_are_unauthenticated(stack) -> None:
    with grpc.insecure_channel(stack.chat_target) as channel:
        chats = chat_pb2_grpc.ChatServiceStub(channel)
        for md in ([], [("authorization", "Bearer not-a-jwt")], [("authorization", "Basic abc")]):
            with pytest.raises(grpc.RpcError) as info:
                chats.ListChats(chat_pb2.ListChatsRequest(), metadata=md, timeout=10)
            assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
            assert from_rpc_error(info.value).code == "UNAUTHENTICATED"


def test_rate_limit_status_carries_retry_info(stack, org) -> None:
    md = grpc_metadata(stack, org.api_key, "grpc@example.com")
    with grpc.insecure_channel(stack.chat_target) as channel:
        chats = chat_pb2_grpc.ChatServiceStub(channel)
        for _ in range(20):
            chats.CreateChat(chat_pb2.CreateChatRequest(), metadata=md, timeout=10)
        with pytest.raises(grpc.RpcError) as info:
            chats.CreateChat(chat_pb2.CreateChatRequest(), metadata=md, timeout=10)
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    err = from_rpc_error(info.value)
    assert err.code == "RATE_LIMIT" and 1 <= (err.retry_after or 0) <= 60


@pytest.mark.parametrize("target", ["chat_target", "upload_target"])
def test_health_and_reflection(stack, target) -> None:
    with grpc.insecure_channel(getattr(stack, target)) as channel:
        status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        assert status.status == health_pb2.HealthCheckResponse.SERVING
        reflect = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = reflect.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = {s.name for reply in replies for s in reply.list_services_response.service}
    expected = (
        {"trellis.v1.ChatService", "trellis.v1.AuthService"}
        if target == "chat_target"
        else {"trellis.v1.UploadService"}
    )
    assert expected <= names and "grpc.health.v1.Health" in names
