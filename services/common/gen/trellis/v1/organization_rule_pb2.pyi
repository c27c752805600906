import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrganizationRule(_message.Message):
    __slots__ = ("id", "organization_id", "content", "created_by", "last_updated_by", "last_updated_by_name", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_BY_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    organization_id: str
    content: str
    created_by: str
    last_updated_by: str
    last_updated_by_name: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., organization_id: _Optional[str] = ..., content: _Optional[str] = ..., created_by: _Optional[str] = ..., last_updated_by: _Optional[str] = ..., last_updated_by_name: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListOrganizationRulesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListOrganizationRulesResponse(_message.Message):
    __slots__ = ("organization_rules",)
    ORGANIZATION_RULES_FIELD_NUMBER: _ClassVar[int]
    organization_rules: _containers.RepeatedCompositeFieldContainer[OrganizationRule]
    def __init__(self, organization_rules: _Optional[_Iterable[_Union[OrganizationRule, _Mapping]]] = ...) -> None: ...

class GetOrganizationRuleRequest(_message.Message):
    __slots__ = ("rule_id",)
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    def __init__(self, rule_id: _Optional[str] = ...) -> None: ...

class CreateOrganizationRuleRequest(_message.Message):
    __slots__ = ("content",)
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    content: str
    def __init__(self, content: _Optional[str] = ...) -> None: ...

class UpdateOrganizationRuleRequest(_message.Message):
    __slots__ = ("rule_id", "content")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    content: str
    def __init__(self, rule_id: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class DeleteOrganizationRuleRequest(_message.Message):
    __slots__ = ("rule_id",)
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    def __init__(self, rule_id: _Optional[str] = ...) -> None: ...

class DeleteOrganizationRuleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
