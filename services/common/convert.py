"""Small conversions between stored values and protobuf types."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from google.protobuf import struct_pb2, timestamp_pb2
from google.protobuf.message import Message

from services.common.database import as_utc

M = TypeVar("M", bound=Message)


def ts(value: datetime) -> timestamp_pb2.Timestamp:
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(as_utc(value))
    return out


def struct(value: dict[str, Any] | None) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(value or {})
    return out
