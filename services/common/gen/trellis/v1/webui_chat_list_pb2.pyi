from services.common.gen.trellis.v1 import webui_chat_pb2 as _webui_chat_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WebuiChatSelection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEBUI_CHAT_SELECTION_UNSPECIFIED: _ClassVar[WebuiChatSelection]
    WEBUI_CHAT_SELECTION_ALL: _ClassVar[WebuiChatSelection]
    WEBUI_CHAT_SELECTION_ARCHIVED: _ClassVar[WebuiChatSelection]
    WEBUI_CHAT_SELECTION_FOLDER: _ClassVar[WebuiChatSelection]
WEBUI_CHAT_SELECTION_UNSPECIFIED: WebuiChatSelection
WEBUI_CHAT_SELECTION_ALL: WebuiChatSelection
WEBUI_CHAT_SELECTION_ARCHIVED: WebuiChatSelection
WEBUI_CHAT_SELECTION_FOLDER: WebuiChatSelection

class ListWebuiChatsRequest(_message.Message):
    __slots__ = ("page", "include_pinned", "include_folders")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PINNED_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FOLDERS_FIELD_NUMBER: _ClassVar[int]
    page: int
    include_pinned: bool
    include_folders: bool
    def __init__(self, page: _Optional[int] = ..., include_pinned: _Optional[bool] = ..., include_folders: _Optional[bool] = ...) -> None: ...

class ListWebuiChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[_webui_chat_pb2.WebuiChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[_webui_chat_pb2.WebuiChatSummary, _Mapping]]] = ...) -> None: ...

class ListPinnedWebuiChatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListPinnedWebuiChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[_webui_chat_pb2.WebuiChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[_webui_chat_pb2.WebuiChatSummary, _Mapping]]] = ...) -> None: ...

class ListArchivedWebuiChatsRequest(_message.Message):
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

class ListArchivedWebuiChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[_webui_chat_pb2.WebuiChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[_webui_chat_pb2.WebuiChatSummary, _Mapping]]] = ...) -> None: ...

class ListFolderWebuiChatsRequest(_message.Message):
    __slots__ = ("folder_id", "page")
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    folder_id: str
    page: int
    def __init__(self, folder_id: _Optional[str] = ..., page: _Optional[int] = ...) -> None: ...

class ListFolderWebuiChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[_webui_chat_pb2.WebuiChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[_webui_chat_pb2.WebuiChatSummary, _Mapping]]] = ...) -> None: ...

class SearchWebuiChatsRequest(_message.Message):
    __slots__ = ("text", "page")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    text: str
    page: int
    def __init__(self, text: _Optional[str] = ..., page: _Optional[int] = ...) -> None: ...

class SearchWebuiChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[_webui_chat_pb2.WebuiChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[_webui_chat_pb2.WebuiChatSummary, _Mapping]]] = ...) -> None: ...

class StreamWebuiChatsRequest(_message.Message):
    __slots__ = ("selection", "folder_id")
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    selection: WebuiChatSelection
    folder_id: str
    def __init__(self, selection: _Optional[_Union[WebuiChatSelection, str]] = ..., folder_id: _Optional[str] = ...) -> None: ...

class StreamWebuiChatsResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: _webui_chat_pb2.WebuiChat
    def __init__(self, chat: _Optional[_Union[_webui_chat_pb2.WebuiChat, _Mapping]] = ...) -> None: ...
