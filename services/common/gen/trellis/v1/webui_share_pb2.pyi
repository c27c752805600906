from services.common.gen.trellis.v1 import webui_chat_pb2 as _webui_chat_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WebuiShare(_message.Message):
    __slots__ = ("chat_id", "title", "share_id", "created_at", "updated_at")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SHARE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    title: str
    share_id: str
    created_at: int
    updated_at: int
    def __init__(self, chat_id: _Optional[str] = ..., title: _Optional[str] = ..., share_id: _Optional[str] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ...) -> None: ...

class ShareWebuiChatRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class ShareWebuiChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: _webui_chat_pb2.WebuiChat
    def __init__(self, chat: _Optional[_Union[_webui_chat_pb2.WebuiChat, _Mapping]] = ...) -> None: ...

class GetSharedWebuiChatRequest(_message.Message):
    __slots__ = ("share_id",)
    SHARE_ID_FIELD_NUMBER: _ClassVar[int]
    share_id: str
    def __init__(self, share_id: _Optional[str] = ...) -> None: ...

class GetSharedWebuiChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: _webui_chat_pb2.WebuiChat
    def __init__(self, chat: _Optional[_Union[_webui_chat_pb2.WebuiChat, _Mapping]] = ...) -> None: ...

class UnshareWebuiChatRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class UnshareWebuiChatResponse(_message.Message):
    __slots__ = ("revoked",)
    REVOKED_FIELD_NUMBER: _ClassVar[int]
    revoked: bool
    def __init__(self, revoked: _Optional[bool] = ...) -> None: ...

class ListSharedWebuiChatsRequest(_message.Message):
    __slots__ = ("page", "query", "order_by", "direction")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    page: int
    query: str
    order_by: str
    direction: str
    def __init__(self, page: _Optional[int] = ..., query: _Optional[str] = ..., order_by: _Optional[str] = ..., direction: _Optional[str] = ...) -> None: ...

class ListSharedWebuiChatsResponse(_message.Message):
    __slots__ = ("shares",)
    SHARES_FIELD_NUMBER: _ClassVar[int]
    shares: _containers.RepeatedCompositeFieldContainer[WebuiShare]
    def __init__(self, shares: _Optional[_Iterable[_Union[WebuiShare, _Mapping]]] = ...) -> None: ...

class UnshareAllWebuiChatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UnshareAllWebuiChatsResponse(_message.Message):
    __slots__ = ("revoked_count",)
    REVOKED_COUNT_FIELD_NUMBER: _ClassVar[int]
    revoked_count: int
    def __init__(self, revoked_count: _Optional[int] = ...) -> None: ...
