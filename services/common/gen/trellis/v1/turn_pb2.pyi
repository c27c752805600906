from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProcessingStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROCESSING_STATUS_UNSPECIFIED: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_STARTING: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_THINKING: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_ANALYZING: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_PROCESSING: _ClassVar[ProcessingStatus]

class ErrorType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_TYPE_UNSPECIFIED: _ClassVar[ErrorType]
    ERROR_TYPE_CLIENT_ERROR: _ClassVar[ErrorType]
    ERROR_TYPE_RATE_LIMIT: _ClassVar[ErrorType]
    ERROR_TYPE_UPSTREAM_ERROR: _ClassVar[ErrorType]
    ERROR_TYPE_INTERNAL_ERROR: _ClassVar[ErrorType]

class ChartType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHART_TYPE_UNSPECIFIED: _ClassVar[ChartType]
    CHART_TYPE_BAR: _ClassVar[ChartType]
    CHART_TYPE_BAR_HORIZONTAL: _ClassVar[ChartType]
    CHART_TYPE_STACKED_BAR: _ClassVar[ChartType]
    CHART_TYPE_LINE: _ClassVar[ChartType]
    CHART_TYPE_AREA: _ClassVar[ChartType]
    CHART_TYPE_PIE: _ClassVar[ChartType]
    CHART_TYPE_DONUT: _ClassVar[ChartType]
PROCESSING_STATUS_UNSPECIFIED: ProcessingStatus
PROCESSING_STATUS_STARTING: ProcessingStatus
PROCESSING_STATUS_THINKING: ProcessingStatus
PROCESSING_STATUS_ANALYZING: ProcessingStatus
PROCESSING_STATUS_PROCESSING: ProcessingStatus
ERROR_TYPE_UNSPECIFIED: ErrorType
ERROR_TYPE_CLIENT_ERROR: ErrorType
ERROR_TYPE_RATE_LIMIT: ErrorType
ERROR_TYPE_UPSTREAM_ERROR: ErrorType
ERROR_TYPE_INTERNAL_ERROR: ErrorType
CHART_TYPE_UNSPECIFIED: ChartType
CHART_TYPE_BAR: ChartType
CHART_TYPE_BAR_HORIZONTAL: ChartType
CHART_TYPE_STACKED_BAR: ChartType
CHART_TYPE_LINE: ChartType
CHART_TYPE_AREA: ChartType
CHART_TYPE_PIE: ChartType
CHART_TYPE_DONUT: ChartType

class TurnEvent(_message.Message):
    __slots__ = ("chat_metadata", "processing", "visualization", "text_delta", "message", "error", "tool")
    CHAT_METADATA_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_FIELD_NUMBER: _ClassVar[int]
    VISUALIZATION_FIELD_NUMBER: _ClassVar[int]
    TEXT_DELTA_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    TOOL_FIELD_NUMBER: _ClassVar[int]
    chat_metadata: ChatMetadataEvent
    processing: ProcessingEvent
    visualization: Visualization
    text_delta: TextDeltaEvent
    message: AssistantMessageEvent
    error: ErrorEvent
    tool: ToolEvent
    def __init__(self, chat_metadata: _Optional[_Union[ChatMetadataEvent, _Mapping]] = ..., processing: _Optional[_Union[ProcessingEvent, _Mapping]] = ..., visualization: _Optional[_Union[Visualization, _Mapping]] = ..., text_delta: _Optional[_Union[TextDeltaEvent, _Mapping]] = ..., message: _Optional[_Union[AssistantMessageEvent, _Mapping]] = ..., error: _Optional[_Union[ErrorEvent, _Mapping]] = ..., tool: _Optional[_Union[ToolEvent, _Mapping]] = ...) -> None: ...

class ChatMetadataEvent(_message.Message):
    __slots__ = ("id", "user_message_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_message_id: str
    def __init__(self, id: _Optional[str] = ..., user_message_id: _Optional[str] = ...) -> None: ...

class ProcessingEvent(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: ProcessingStatus
    def __init__(self, status: _Optional[_Union[ProcessingStatus, str]] = ...) -> None: ...

class TextDeltaEvent(_message.Message):
    __slots__ = ("content",)
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    content: str
    def __init__(self, content: _Optional[str] = ...) -> None: ...

class AssistantMessageEvent(_message.Message):
    __slots__ = ("id", "content")
    ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    id: str
    content: str
    def __init__(self, id: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class ErrorEvent(_message.Message):
    __slots__ = ("error", "code", "retryable", "debug_id", "error_type", "retry_after_seconds")
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_FIELD_NUMBER: _ClassVar[int]
    DEBUG_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_TYPE_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    error: str
    code: str
    retryable: bool
    debug_id: str
    error_type: ErrorType
    retry_after_seconds: int
    def __init__(self, error: _Optional[str] = ..., code: _Optional[str] = ..., retryable: _Optional[bool] = ..., debug_id: _Optional[str] = ..., error_type: _Optional[_Union[ErrorType, str]] = ..., retry_after_seconds: _Optional[int] = ...) -> None: ...

class ToolEvent(_message.Message):
    __slots__ = ("kind", "payload")
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    kind: str
    payload: _struct_pb2.Struct
    def __init__(self, kind: _Optional[str] = ..., payload: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ChartPoint(_message.Message):
    __slots__ = ("label", "text", "series", "value")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SERIES_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    label: str
    text: str
    series: str
    value: float
    def __init__(self, label: _Optional[str] = ..., text: _Optional[str] = ..., series: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...

class Chart(_message.Message):
    __slots__ = ("chart_type", "title", "values", "x_axis_label", "y_axis_label")
    CHART_TYPE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    X_AXIS_LABEL_FIELD_NUMBER: _ClassVar[int]
    Y_AXIS_LABEL_FIELD_NUMBER: _ClassVar[int]
    chart_type: ChartType
    title: str
    values: _containers.RepeatedCompositeFieldContainer[ChartPoint]
    x_axis_label: str
    y_axis_label: str
    def __init__(self, chart_type: _Optional[_Union[ChartType, str]] = ..., title: _Optional[str] = ..., values: _Optional[_Iterable[_Union[ChartPoint, _Mapping]]] = ..., x_axis_label: _Optional[str] = ..., y_axis_label: _Optional[str] = ...) -> None: ...

class Table(_message.Message):
    __slots__ = ("title", "headers", "rows", "truncated", "total_rows")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    title: str
    headers: _containers.RepeatedScalarFieldContainer[str]
    rows: _containers.RepeatedCompositeFieldContainer[_struct_pb2.ListValue]
    truncated: bool
    total_rows: int
    def __init__(self, title: _Optional[str] = ..., headers: _Optional[_Iterable[str]] = ..., rows: _Optional[_Iterable[_Union[_struct_pb2.ListValue, _Mapping]]] = ..., truncated: _Optional[bool] = ..., total_rows: _Optional[int] = ...) -> None: ...

class Visualization(_message.Message):
    __slots__ = ("id", "chart", "table")
    ID_FIELD_NUMBER: _ClassVar[int]
    CHART_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    id: str
    chart: Chart
    table: Table
    def __init__(self, id: _Optional[str] = ..., chart: _Optional[_Union[Chart, _Mapping]] = ..., table: _Optional[_Union[Table, _Mapping]] = ...) -> None: ...
