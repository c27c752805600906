import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UserMemory(_message.Message):
    __slots__ = ("id", "organization_id", "member_id", "content", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    organization_id: str
    member_id: str
    content: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., organization_id: _Optional[str] = ..., member_id: _Optional[str] = ..., content: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListUserMemoriesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListUserMemoriesResponse(_message.Message):
    __slots__ = ("user_memories",)
    USER_MEMORIES_FIELD_NUMBER: _ClassVar[int]
    user_memories: _containers.RepeatedCompositeFieldContainer[UserMemory]
    def __init__(self, user_memories: _Optional[_Iterable[_Union[UserMemory, _Mapping]]] = ...) -> None: ...

class GetUserMemoryRequest(_message.Message):
    __slots__ = ("memory_id",)
    MEMORY_ID_FIELD_NUMBER: _ClassVar[int]
    memory_id: str
    def __init__(self, memory_id: _Optional[str] = ...) -> None: ...

class CreateUserMemoryRequest(_message.Message):
    __slots__ = ("content",)
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    content: str
    def __init__(self, content: _Optional[str] = ...) -> None: ...

class UpdateUserMemoryRequest(_message.Message):
    __slots__ = ("memory_id", "content")
    MEMORY_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    memory_id: str
    content: str
    def __init__(self, memory_id: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class DeleteUserMemoryRequest(_message.Message):
    __slots__ = ("memory_id",)
    MEMORY_ID_FIELD_NUMBER: _ClassVar[int]
    memory_id: str
    def __init__(self, memory_id: _Optional[str] = ...) -> None: ...

class DeleteUserMemoryResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListMemberMemoriesRequest(_message.Message):
    __slots__ = ("member_id",)
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    def __init__(self, member_id: _Optional[str] = ...) -> None: ...

class ListMemberMemoriesResponse(_message.Message):
    __slots__ = ("user_memories",)
    USER_MEMORIES_FIELD_NUMBER: _ClassVar[int]
    user_memories: _containers.RepeatedCompositeFieldContainer[UserMemory]
    def __init__(self, user_memories: _Optional[_Iterable[_Union[UserMemory, _Mapping]]] = ...) -> None: ...

class CreateMemberMemoryRequest(_message.Message):
    __slots__ = ("member_id", "content")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    content: str
    def __init__(self, member_id: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class UpdateMemberMemoryRequest(_message.Message):
    __slots__ = ("memory_id", "member_id", "content")
    MEMORY_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    memory_id: str
    member_id: str
    content: str
    def __init__(self, memory_id: _Optional[str] = ..., member_id: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class DeleteMemberMemoryRequest(_message.Message):
    __slots__ = ("memory_id", "member_id")
    MEMORY_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    memory_id: str
    member_id: str
    def __init__(self, memory_id: _Optional[str] = ..., member_id: _Optional[str] = ...) -> None: ...

class DeleteMemberMemoryResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
