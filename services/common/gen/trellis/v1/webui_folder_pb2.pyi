from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WebuiFolder(_message.Message):
    __slots__ = ("id", "parent_id", "user_id", "name", "meta_json", "data_json", "is_expanded", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    IS_EXPANDED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    parent_id: str
    user_id: str
    name: str
    meta_json: str
    data_json: str
    is_expanded: bool
    created_at: int
    updated_at: int
    def __init__(self, id: _Optional[str] = ..., parent_id: _Optional[str] = ..., user_id: _Optional[str] = ..., name: _Optional[str] = ..., meta_json: _Optional[str] = ..., data_json: _Optional[str] = ..., is_expanded: _Optional[bool] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ...) -> None: ...

class ListWebuiFoldersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListWebuiFoldersResponse(_message.Message):
    __slots__ = ("folders",)
    FOLDERS_FIELD_NUMBER: _ClassVar[int]
    folders: _containers.RepeatedCompositeFieldContainer[WebuiFolder]
    def __init__(self, folders: _Optional[_Iterable[_Union[WebuiFolder, _Mapping]]] = ...) -> None: ...

class CreateWebuiFolderRequest(_message.Message):
    __slots__ = ("name", "parent_id", "meta_json", "data_json")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    name: str
    parent_id: str
    meta_json: str
    data_json: str
    def __init__(self, name: _Optional[str] = ..., parent_id: _Optional[str] = ..., meta_json: _Optional[str] = ..., data_json: _Optional[str] = ...) -> None: ...

class CreateWebuiFolderResponse(_message.Message):
    __slots__ = ("folder",)
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    folder: WebuiFolder
    def __init__(self, folder: _Optional[_Union[WebuiFolder, _Mapping]] = ...) -> None: ...

class GetWebuiFolderRequest(_message.Message):
    __slots__ = ("folder_id",)
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    folder_id: str
    def __init__(self, folder_id: _Optional[str] = ...) -> None: ...

class GetWebuiFolderResponse(_message.Message):
    __slots__ = ("folder",)
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    folder: WebuiFolder
    def __init__(self, folder: _Optional[_Union[WebuiFolder, _Mapping]] = ...) -> None: ...

class UpdateWebuiFolderRequest(_message.Message):
    __slots__ = ("folder_id", "name", "meta_json", "data_json")
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    folder_id: str
    name: str
    meta_json: str
    data_json: str
    def __init__(self, folder_id: _Optional[str] = ..., name: _Optional[str] = ..., meta_json: _Optional[str] = ..., data_json: _Optional[str] = ...) -> None: ...

class UpdateWebuiFolderResponse(_message.Message):
    __slots__ = ("folder",)
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    folder: WebuiFolder
    def __init__(self, folder: _Optional[_Union[WebuiFolder, _Mapping]] = ...) -> None: ...

class MoveWebuiFolderRequest(_message.Message):
    __slots__ = ("folder_id", "parent_id")
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    folder_id: str
    parent_id: str
    def __init__(self, folder_id: _Optional[str] = ..., parent_id: _Optional[str] = ...) -> None: ...

class MoveWebuiFolderResponse(_message.Message):
    __slots__ = ("folder",)
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    folder: WebuiFolder
    def __init__(self, folder: _Optional[_Union[WebuiFolder, _Mapping]] = ...) -> None: ...

class SetWebuiFolderExpandedRequest(_message.Message):
    __slots__ = ("folder_id", "is_expanded")
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    IS_EXPANDED_FIELD_NUMBER: _ClassVar[int]
    folder_id: str
    is_expanded: bool
    def __init__(self, folder_id: _Optional[str] = ..., is_expanded: _Optional[bool] = ...) -> None: ...

class SetWebuiFolderExpandedResponse(_message.Message):
    __slots__ = ("folder",)
    FOLDER_FIELD_NUMBER: _ClassVar[int]
    folder: WebuiFolder
    def __init__(self, folder: _Optional[_Union[WebuiFolder, _Mapping]] = ...) -> None: ...

class DeleteWebuiFolderRequest(_message.Message):
    __slots__ = ("folder_id", "keep_contents")
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    KEEP_CONTENTS_FIELD_NUMBER: _ClassVar[int]
    folder_id: str
    keep_contents: bool
    def __init__(self, folder_id: _Optional[str] = ..., keep_contents: _Optional[bool] = ...) -> None: ...

class DeleteWebuiFolderResponse(_message.Message):
    __slots__ = ("deleted_folders", "deleted_chats", "moved_chats")
    DELETED_FOLDERS_FIELD_NUMBER: _ClassVar[int]
    DELETED_CHATS_FIELD_NUMBER: _ClassVar[int]
    MOVED_CHATS_FIELD_NUMBER: _ClassVar[int]
    deleted_folders: int
    deleted_chats: int
    moved_chats: int
    def __init__(self, deleted_folders: _Optional[int] = ..., deleted_chats: _Optional[int] = ..., moved_chats: _Optional[int] = ...) -> None: ...
