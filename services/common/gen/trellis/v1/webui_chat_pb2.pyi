from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WebuiChat(_message.Message):
    __slots__ = ("id", "user_id", "title", "chat_json", "updated_at", "created_at", "share_id", "archived", "pinned", "meta_json", "folder_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CHAT_JSON_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SHARE_ID_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    PINNED_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    title: str
    chat_json: str
    updated_at: int
    created_at: int
    share_id: str
    archived: bool
    pinned: bool
    meta_json: str
    folder_id: str
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., title: _Optional[str] = ..., chat_json: _Optional[str] = ..., updated_at: _Optional[int] = ..., created_at: _Optional[int] = ..., share_id: _Optional[str] = ..., archived: _Optional[bool] = ..., pinned: _Optional[bool] = ..., meta_json: _Optional[str] = ..., folder_id: _Optional[str] = ...) -> None: ...

class WebuiChatSummary(_message.Message):
    __slots__ = ("id", "title", "updated_at", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    updated_at: int
    created_at: int
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., updated_at: _Optional[int] = ..., created_at: _Optional[int] = ...) -> None: ...

class CreateWebuiChatRequest(_message.Message):
    __slots__ = ("chat_json", "folder_id")
    CHAT_JSON_FIELD_NUMBER: _ClassVar[int]
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    chat_json: str
    folder_id: str
    def __init__(self, chat_json: _Optional[str] = ..., folder_id: _Optional[str] = ...) -> None: ...

class CreateWebuiChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: WebuiChat
    def __init__(self, chat: _Optional[_Union[WebuiChat, _Mapping]] = ...) -> None: ...

class GetWebuiChatRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class GetWebuiChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: WebuiChat
    def __init__(self, chat: _Optional[_Union[WebuiChat, _Mapping]] = ...) -> None: ...

class UpdateWebuiChatRequest(_message.Message):
    __slots__ = ("chat_id", "chat_json")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    CHAT_JSON_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    chat_json: str
    def __init__(self, chat_id: _Optional[str] = ..., chat_json: _Optional[str] = ...) -> None: ...

class UpdateWebuiChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: WebuiChat
    def __init__(self, chat: _Optional[_Union[WebuiChat, _Mapping]] = ...) -> None: ...

class DeleteWebuiChatRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class DeleteWebuiChatResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteAllWebuiChatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteAllWebuiChatsResponse(_message.Message):
    __slots__ = ("deleted_count",)
    DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    deleted_count: int
    def __init__(self, deleted_count: _Optional[int] = ...) -> None: ...

class UpsertWebuiMessageRequest(_message.Message):
    __slots__ = ("chat_id", "message_id", "content")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    message_id: str
    content: str
    def __init__(self, chat_id: _Optional[str] = ..., message_id: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class UpsertWebuiMessageResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: WebuiChat
    def __init__(self, chat: _Optional[_Union[WebuiChat, _Mapping]] = ...) -> None: ...

class DeleteWebuiMessageRequest(_message.Message):
    __slots__ = ("chat_id", "message_id")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    message_id: str
    def __init__(self, chat_id: _Optional[str] = ..., message_id: _Optional[str] = ...) -> None: ...

class DeleteWebuiMessageResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: WebuiChat
    def __init__(self, chat: _Optional[_Union[WebuiChat, _Mapping]] = ...) -> None: ...

class ToggleWebuiChatPinRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class ToggleWebuiChatPinResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: WebuiChat
    def __init__(self, chat: _Optional[_Union[WebuiChat, _Mapping]] = ...) -> None: ...

class GetWebuiChatPinnedRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class GetWebuiChatPinnedResponse(_message.Message):
    __slots__ = ("pinned",)
    PINNED_FIELD_NUMBER: _ClassVar[int]
    pinned: bool
    def __init__(self, pinned: _Optional[bool] = ...) -> None: ...

class ToggleWebuiChatArchiveRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class ToggleWebuiChatArchiveResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: WebuiChat
    def __init__(self, chat: _Optional[_Union[WebuiChat, _Mapping]] = ...) -> None: ...

class SetAllWebuiChatsArchivedRequest(_message.Message):
    __slots__ = ("archived",)
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    archived: bool
    def __init__(self, archived: _Optional[bool] = ...) -> None: ...

class SetAllWebuiChatsArchivedResponse(_message.Message):
    __slots__ = ("changed_count",)
    CHANGED_COUNT_FIELD_NUMBER: _ClassVar[int]
    changed_count: int
    def __init__(self, changed_count: _Optional[int] = ...) -> None: ...

class MoveWebuiChatRequest(_message.Message):
    __slots__ = ("chat_id", "folder_id")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    folder_id: str
    def __init__(self, chat_id: _Optional[str] = ..., folder_id: _Optional[str] = ...) -> None: ...

class MoveWebuiChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: WebuiChat
    def __init__(self, chat: _Optional[_Union[WebuiChat, _Mapping]] = ...) -> None: ...
