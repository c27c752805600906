import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UploadHeader(_message.Message):
    __slots__ = ("chat_id", "filename", "declared_type", "size", "project_id")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    DECLARED_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    filename: str
    declared_type: str
    size: int
    project_id: str
    def __init__(self, chat_id: _Optional[str] = ..., filename: _Optional[str] = ..., declared_type: _Optional[str] = ..., size: _Optional[int] = ..., project_id: _Optional[str] = ...) -> None: ...

class UploadFileRequest(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: UploadHeader
    chunk: bytes
    def __init__(self, header: _Optional[_Union[UploadHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class Upload(_message.Message):
    __slots__ = ("id", "chat_id", "filename", "mime_type", "file_size", "upload_type", "storage_path", "presigned_url", "created_at", "message_id", "project_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    FILE_SIZE_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_TYPE_FIELD_NUMBER: _ClassVar[int]
    STORAGE_PATH_FIELD_NUMBER: _ClassVar[int]
    PRESIGNED_URL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    chat_id: str
    filename: str
    mime_type: str
    file_size: int
    upload_type: str
    storage_path: str
    presigned_url: str
    created_at: _timestamp_pb2.Timestamp
    message_id: str
    project_id: str
    def __init__(self, id: _Optional[str] = ..., chat_id: _Optional[str] = ..., filename: _Optional[str] = ..., mime_type: _Optional[str] = ..., file_size: _Optional[int] = ..., upload_type: _Optional[str] = ..., storage_path: _Optional[str] = ..., presigned_url: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., message_id: _Optional[str] = ..., project_id: _Optional[str] = ...) -> None: ...

class UploadFileResponse(_message.Message):
    __slots__ = ("upload",)
    UPLOAD_FIELD_NUMBER: _ClassVar[int]
    upload: Upload
    def __init__(self, upload: _Optional[_Union[Upload, _Mapping]] = ...) -> None: ...

class ListUploadsRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class ListUploadsResponse(_message.Message):
    __slots__ = ("chat_id", "uploads")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    UPLOADS_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    uploads: _containers.RepeatedCompositeFieldContainer[Upload]
    def __init__(self, chat_id: _Optional[str] = ..., uploads: _Optional[_Iterable[_Union[Upload, _Mapping]]] = ...) -> None: ...

class DeleteUploadRequest(_message.Message):
    __slots__ = ("upload_id",)
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    upload_id: str
    def __init__(self, upload_id: _Optional[str] = ...) -> None: ...

class DeleteUploadResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: str
    def __init__(self, message: _Optional[str] = ...) -> None: ...

class GetUploadsRequest(_message.Message):
    __slots__ = ("upload_ids",)
    UPLOAD_IDS_FIELD_NUMBER: _ClassVar[int]
    upload_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, upload_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetUploadsResponse(_message.Message):
    __slots__ = ("uploads",)
    UPLOADS_FIELD_NUMBER: _ClassVar[int]
    uploads: _containers.RepeatedCompositeFieldContainer[Upload]
    def __init__(self, uploads: _Optional[_Iterable[_Union[Upload, _Mapping]]] = ...) -> None: ...

class LinkUploadsRequest(_message.Message):
    __slots__ = ("chat_id", "message_id", "upload_ids")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_IDS_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    message_id: str
    upload_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, chat_id: _Optional[str] = ..., message_id: _Optional[str] = ..., upload_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class LinkUploadsResponse(_message.Message):
    __slots__ = ("uploads",)
    UPLOADS_FIELD_NUMBER: _ClassVar[int]
    uploads: _containers.RepeatedCompositeFieldContainer[Upload]
    def __init__(self, uploads: _Optional[_Iterable[_Union[Upload, _Mapping]]] = ...) -> None: ...

class SearchUploadChunksRequest(_message.Message):
    __slots__ = ("chat_id", "query", "upload_ids", "limit")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_IDS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    query: str
    upload_ids: _containers.RepeatedScalarFieldContainer[str]
    limit: int
    def __init__(self, chat_id: _Optional[str] = ..., query: _Optional[str] = ..., upload_ids: _Optional[_Iterable[str]] = ..., limit: _Optional[int] = ...) -> None: ...

class UploadChunk(_message.Message):
    __slots__ = ("upload_id", "filename", "index", "text", "score", "mime_type")
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    upload_id: str
    filename: str
    index: int
    text: str
    score: float
    mime_type: str
    def __init__(self, upload_id: _Optional[str] = ..., filename: _Optional[str] = ..., index: _Optional[int] = ..., text: _Optional[str] = ..., score: _Optional[float] = ..., mime_type: _Optional[str] = ...) -> None: ...

class SearchUploadChunksResponse(_message.Message):
    __slots__ = ("chunks",)
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    chunks: _containers.RepeatedCompositeFieldContainer[UploadChunk]
    def __init__(self, chunks: _Optional[_Iterable[_Union[UploadChunk, _Mapping]]] = ...) -> None: ...

class ReadUploadTableRequest(_message.Message):
    __slots__ = ("upload_id", "max_rows")
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_ROWS_FIELD_NUMBER: _ClassVar[int]
    upload_id: str
    max_rows: int
    def __init__(self, upload_id: _Optional[str] = ..., max_rows: _Optional[int] = ...) -> None: ...

class ReadUploadTableResponse(_message.Message):
    __slots__ = ("headers", "rows", "truncated")
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    headers: _containers.RepeatedScalarFieldContainer[str]
    rows: _containers.RepeatedCompositeFieldContainer[_struct_pb2.ListValue]
    truncated: bool
    def __init__(self, headers: _Optional[_Iterable[str]] = ..., rows: _Optional[_Iterable[_Union[_struct_pb2.ListValue, _Mapping]]] = ..., truncated: _Optional[bool] = ...) -> None: ...

class StoreChatImageRequest(_message.Message):
    __slots__ = ("header", "chunk", "chat_grant")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    CHAT_GRANT_FIELD_NUMBER: _ClassVar[int]
    header: UploadHeader
    chunk: bytes
    chat_grant: str
    def __init__(self, header: _Optional[_Union[UploadHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ..., chat_grant: _Optional[str] = ...) -> None: ...

class StoreChatImageResponse(_message.Message):
    __slots__ = ("upload",)
    UPLOAD_FIELD_NUMBER: _ClassVar[int]
    upload: Upload
    def __init__(self, upload: _Optional[_Union[Upload, _Mapping]] = ...) -> None: ...

class SignChatImagesRequest(_message.Message):
    __slots__ = ("chat_id", "upload_ids", "read_grant")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_IDS_FIELD_NUMBER: _ClassVar[int]
    READ_GRANT_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    upload_ids: _containers.RepeatedScalarFieldContainer[str]
    read_grant: str
    def __init__(self, chat_id: _Optional[str] = ..., upload_ids: _Optional[_Iterable[str]] = ..., read_grant: _Optional[str] = ...) -> None: ...

class SignChatImagesResponse(_message.Message):
    __slots__ = ("uploads",)
    UPLOADS_FIELD_NUMBER: _ClassVar[int]
    uploads: _containers.RepeatedCompositeFieldContainer[Upload]
    def __init__(self, uploads: _Optional[_Iterable[_Union[Upload, _Mapping]]] = ...) -> None: ...

class CopyChatImagesRequest(_message.Message):
    __slots__ = ("chat_id", "upload_ids", "to_chat_id", "copy_grant")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_IDS_FIELD_NUMBER: _ClassVar[int]
    TO_CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    COPY_GRANT_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    upload_ids: _containers.RepeatedScalarFieldContainer[str]
    to_chat_id: str
    copy_grant: str
    def __init__(self, chat_id: _Optional[str] = ..., upload_ids: _Optional[_Iterable[str]] = ..., to_chat_id: _Optional[str] = ..., copy_grant: _Optional[str] = ...) -> None: ...

class CopiedChatImage(_message.Message):
    __slots__ = ("source_upload_id", "upload")
    SOURCE_UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_FIELD_NUMBER: _ClassVar[int]
    source_upload_id: str
    upload: Upload
    def __init__(self, source_upload_id: _Optional[str] = ..., upload: _Optional[_Union[Upload, _Mapping]] = ...) -> None: ...

class CopyChatImagesResponse(_message.Message):
    __slots__ = ("copies",)
    COPIES_FIELD_NUMBER: _ClassVar[int]
    copies: _containers.RepeatedCompositeFieldContainer[CopiedChatImage]
    def __init__(self, copies: _Optional[_Iterable[_Union[CopiedChatImage, _Mapping]]] = ...) -> None: ...

class DeleteChatUploadsRequest(_message.Message):
    __slots__ = ("chat_ids", "upload_ids")
    CHAT_IDS_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_IDS_FIELD_NUMBER: _ClassVar[int]
    chat_ids: _containers.RepeatedScalarFieldContainer[str]
    upload_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, chat_ids: _Optional[_Iterable[str]] = ..., upload_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteChatUploadsResponse(_message.Message):
    __slots__ = ("deleted_count",)
    DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    deleted_count: int
    def __init__(self, deleted_count: _Optional[int] = ...) -> None: ...

class ListProjectDocumentsRequest(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    def __init__(self, project_id: _Optional[str] = ...) -> None: ...

class ListProjectDocumentsResponse(_message.Message):
    __slots__ = ("project_id", "documents")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    documents: _containers.RepeatedCompositeFieldContainer[Upload]
    def __init__(self, project_id: _Optional[str] = ..., documents: _Optional[_Iterable[_Union[Upload, _Mapping]]] = ...) -> None: ...

class DeleteProjectDocumentRequest(_message.Message):
    __slots__ = ("project_id", "document_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    document_id: str
    def __init__(self, project_id: _Optional[str] = ..., document_id: _Optional[str] = ...) -> None: ...

class DeleteProjectDocumentResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: str
    def __init__(self, message: _Optional[str] = ...) -> None: ...

class SearchProjectDocumentsRequest(_message.Message):
    __slots__ = ("project_id", "query", "limit")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    query: str
    limit: int
    def __init__(self, project_id: _Optional[str] = ..., query: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class SearchProjectDocumentsResponse(_message.Message):
    __slots__ = ("chunks",)
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    chunks: _containers.RepeatedCompositeFieldContainer[UploadChunk]
    def __init__(self, chunks: _Optional[_Iterable[_Union[UploadChunk, _Mapping]]] = ...) -> None: ...

class DeleteProjectDocumentsRequest(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    def __init__(self, project_id: _Optional[str] = ...) -> None: ...

class DeleteProjectDocumentsResponse(_message.Message):
    __slots__ = ("deleted_count",)
    DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    deleted_count: int
    def __init__(self, deleted_count: _Optional[int] = ...) -> None: ...
