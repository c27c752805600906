import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from services.common.gen.trellis.v1 import turn_pb2 as _turn_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateChatRequest(_message.Message):
    __slots__ = ("title", "integration_id", "project_id")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    title: str
    integration_id: str
    project_id: str
    def __init__(self, title: _Optional[str] = ..., integration_id: _Optional[str] = ..., project_id: _Optional[str] = ...) -> None: ...

class CreateChatResponse(_message.Message):
    __slots__ = ("id", "organization_id", "member_id", "title", "created_at", "integration_id", "project_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    organization_id: str
    member_id: str
    title: str
    created_at: _timestamp_pb2.Timestamp
    integration_id: str
    project_id: str
    def __init__(self, id: _Optional[str] = ..., organization_id: _Optional[str] = ..., member_id: _Optional[str] = ..., title: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., integration_id: _Optional[str] = ..., project_id: _Optional[str] = ...) -> None: ...

class ListChatsRequest(_message.Message):
    __slots__ = ("page",)
    PAGE_FIELD_NUMBER: _ClassVar[int]
    page: int
    def __init__(self, page: _Optional[int] = ...) -> None: ...

class ChatSummaryMetadata(_message.Message):
    __slots__ = ("source_type",)
    SOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    source_type: str
    def __init__(self, source_type: _Optional[str] = ...) -> None: ...

class ChatSummary(_message.Message):
    __slots__ = ("id", "title", "preview", "timestamp", "metadata")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PREVIEW_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    preview: str
    timestamp: _timestamp_pb2.Timestamp
    metadata: ChatSummaryMetadata
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., preview: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., metadata: _Optional[_Union[ChatSummaryMetadata, _Mapping]] = ...) -> None: ...

class ListChatsResponse(_message.Message):
    __slots__ = ("chats", "total", "page", "page_size", "has_more")
    CHATS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    HAS_MORE_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[ChatSummary]
    total: int
    page: int
    page_size: int
    has_more: bool
    def __init__(self, chats: _Optional[_Iterable[_Union[ChatSummary, _Mapping]]] = ..., total: _Optional[int] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., has_more: _Optional[bool] = ...) -> None: ...

class GetChatRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class ChatMessage(_message.Message):
    __slots__ = ("id", "role", "content", "timestamp", "metadata")
    ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    id: str
    role: str
    content: str
    timestamp: _timestamp_pb2.Timestamp
    metadata: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., role: _Optional[str] = ..., content: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class GetChatResponse(_message.Message):
    __slots__ = ("id", "title", "preview", "messages", "created_at", "timestamp", "integration_id", "metadata", "project_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PREVIEW_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    preview: str
    messages: _containers.RepeatedCompositeFieldContainer[ChatMessage]
    created_at: _timestamp_pb2.Timestamp
    timestamp: _timestamp_pb2.Timestamp
    integration_id: str
    metadata: ChatSummaryMetadata
    project_id: str
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., preview: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[ChatMessage, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., integration_id: _Optional[str] = ..., metadata: _Optional[_Union[ChatSummaryMetadata, _Mapping]] = ..., project_id: _Optional[str] = ...) -> None: ...

class UpdateChatRequest(_message.Message):
    __slots__ = ("chat_id", "title")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    title: str
    def __init__(self, chat_id: _Optional[str] = ..., title: _Optional[str] = ...) -> None: ...

class UpdateChatResponse(_message.Message):
    __slots__ = ("id", "title", "preview", "timestamp")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PREVIEW_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    preview: str
    timestamp: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., preview: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeleteChatRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class DeleteChatResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: str
    def __init__(self, message: _Optional[str] = ...) -> None: ...

class DeleteChatsRequest(_message.Message):
    __slots__ = ("chat_ids",)
    CHAT_IDS_FIELD_NUMBER: _ClassVar[int]
    chat_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, chat_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteChatsResponse(_message.Message):
    __slots__ = ("deleted", "not_found", "deleted_count")
    DELETED_FIELD_NUMBER: _ClassVar[int]
    NOT_FOUND_FIELD_NUMBER: _ClassVar[int]
    DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    deleted: _containers.RepeatedScalarFieldContainer[str]
    not_found: _containers.RepeatedScalarFieldContainer[str]
    deleted_count: int
    def __init__(self, deleted: _Optional[_Iterable[str]] = ..., not_found: _Optional[_Iterable[str]] = ..., deleted_count: _Optional[int] = ...) -> None: ...

class SendMessageRequest(_message.Message):
    __slots__ = ("chat_id", "message", "integration_id", "title", "model", "upload_ids", "saved_query_id", "parameters", "include_tool_events")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_IDS_FIELD_NUMBER: _ClassVar[int]
    SAVED_QUERY_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_TOOL_EVENTS_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    message: str
    integration_id: str
    title: str
    model: str
    upload_ids: _containers.RepeatedScalarFieldContainer[str]
    saved_query_id: str
    parameters: _struct_pb2.Struct
    include_tool_events: bool
    def __init__(self, chat_id: _Optional[str] = ..., message: _Optional[str] = ..., integration_id: _Optional[str] = ..., title: _Optional[str] = ..., model: _Optional[str] = ..., upload_ids: _Optional[_Iterable[str]] = ..., saved_query_id: _Optional[str] = ..., parameters: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., include_tool_events: _Optional[bool] = ...) -> None: ...

class SendMessageResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _turn_pb2.TurnEvent
    def __init__(self, event: _Optional[_Union[_turn_pb2.TurnEvent, _Mapping]] = ...) -> None: ...

class EditMessageRequest(_message.Message):
    __slots__ = ("chat_id", "message_id", "content", "integration_id", "model", "include_tool_events")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    INTEGRATION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_TOOL_EVENTS_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    message_id: str
    content: str
    integration_id: str
    model: str
    include_tool_events: bool
    def __init__(self, chat_id: _Optional[str] = ..., message_id: _Optional[str] = ..., content: _Optional[str] = ..., integration_id: _Optional[str] = ..., model: _Optional[str] = ..., include_tool_events: _Optional[bool] = ...) -> None: ...

class EditMessageResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _turn_pb2.TurnEvent
    def __init__(self, event: _Optional[_Union[_turn_pb2.TurnEvent, _Mapping]] = ...) -> None: ...

class DeleteMessageRequest(_message.Message):
    __slots__ = ("chat_id", "message_id")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    message_id: str
    def __init__(self, chat_id: _Optional[str] = ..., message_id: _Optional[str] = ...) -> None: ...

class DeleteMessageResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UpdateMessageFeedbackRequest(_message.Message):
    __slots__ = ("message_id", "feedback", "note")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    feedback: str
    note: str
    def __init__(self, message_id: _Optional[str] = ..., feedback: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class UpdateMessageFeedbackResponse(_message.Message):
    __slots__ = ("id", "metadata")
    ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    id: str
    metadata: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
