from services.common.gen.trellis.v1 import webui_chat_pb2 as _webui_chat_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImportWebuiChatsRequest(_message.Message):
    __slots__ = ("chat_json", "folder_id", "meta_json", "pinned", "archived", "created_at", "updated_at")
    CHAT_JSON_FIELD_NUMBER: _ClassVar[int]
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    PINNED_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    chat_json: str
    folder_id: str
    meta_json: str
    pinned: bool
    archived: bool
    created_at: int
    updated_at: int
    def __init__(self, chat_json: _Optional[str] = ..., folder_id: _Optional[str] = ..., meta_json: _Optional[str] = ..., pinned: _Optional[bool] = ..., archived: _Optional[bool] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ...) -> None: ...

class ImportWebuiChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[_webui_chat_pb2.WebuiChat]
    def __init__(self, chats: _Optional[_Iterable[_Union[_webui_chat_pb2.WebuiChat, _Mapping]]] = ...) -> None: ...

class CloneWebuiChatRequest(_message.Message):
    __slots__ = ("chat_id", "title")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    title: str
    def __init__(self, chat_id: _Optional[str] = ..., title: _Optional[str] = ...) -> None: ...

class CloneWebuiChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: _webui_chat_pb2.WebuiChat
    def __init__(self, chat: _Optional[_Union[_webui_chat_pb2.WebuiChat, _Mapping]] = ...) -> None: ...

class CloneSharedWebuiChatRequest(_message.Message):
    __slots__ = ("share_id",)
    SHARE_ID_FIELD_NUMBER: _ClassVar[int]
    share_id: str
    def __init__(self, share_id: _Optional[str] = ...) -> None: ...

class CloneSharedWebuiChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: _webui_chat_pb2.WebuiChat
    def __init__(self, chat: _Optional[_Union[_webui_chat_pb2.WebuiChat, _Mapping]] = ...) -> None: ...

class ForkWebuiChatRequest(_message.Message):
    __slots__ = ("chat_id", "message_id")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    message_id: str
    def __init__(self, chat_id: _Optional[str] = ..., message_id: _Optional[str] = ...) -> None: ...

class ForkWebuiChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: _webui_chat_pb2.WebuiChat
    def __init__(self, chat: _Optional[_Union[_webui_chat_pb2.WebuiChat, _Mapping]] = ...) -> None: ...
