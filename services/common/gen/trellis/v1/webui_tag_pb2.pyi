from services.common.gen.trellis.v1 import webui_chat_pb2 as _webui_chat_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WebuiTag(_message.Message):
    __slots__ = ("id", "name", "user_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    user_id: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class ListWebuiTagsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListWebuiTagsResponse(_message.Message):
    __slots__ = ("tags",)
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[WebuiTag]
    def __init__(self, tags: _Optional[_Iterable[_Union[WebuiTag, _Mapping]]] = ...) -> None: ...

class ListWebuiChatTagsRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class ListWebuiChatTagsResponse(_message.Message):
    __slots__ = ("tags",)
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[WebuiTag]
    def __init__(self, tags: _Optional[_Iterable[_Union[WebuiTag, _Mapping]]] = ...) -> None: ...

class AddWebuiChatTagRequest(_message.Message):
    __slots__ = ("chat_id", "name")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    name: str
    def __init__(self, chat_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class AddWebuiChatTagResponse(_message.Message):
    __slots__ = ("tags",)
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[WebuiTag]
    def __init__(self, tags: _Optional[_Iterable[_Union[WebuiTag, _Mapping]]] = ...) -> None: ...

class RemoveWebuiChatTagRequest(_message.Message):
    __slots__ = ("chat_id", "name")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    name: str
    def __init__(self, chat_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class RemoveWebuiChatTagResponse(_message.Message):
    __slots__ = ("tags",)
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[WebuiTag]
    def __init__(self, tags: _Optional[_Iterable[_Union[WebuiTag, _Mapping]]] = ...) -> None: ...

class RemoveAllWebuiChatTagsRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class RemoveAllWebuiChatTagsResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListWebuiChatsByTagRequest(_message.Message):
    __slots__ = ("name", "skip", "limit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SKIP_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    skip: int
    limit: int
    def __init__(self, name: _Optional[str] = ..., skip: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListWebuiChatsByTagResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[_webui_chat_pb2.WebuiChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[_webui_chat_pb2.WebuiChatSummary, _Mapping]]] = ...) -> None: ...
