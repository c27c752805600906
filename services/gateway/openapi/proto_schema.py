"""Protobuf message descriptors → JSON Schemas of their JSON form, as the gateway writes it.

The gateway writes messages with `MessageToDict(preserving_proto_field_name=True,
always_print_fields_with_no_presence=True)`: field names as in the proto, every field without
presence always present (so required in responses), message fields and proto3 `optional` fields
only when set, 64-bit integers as decimal strings, enums by name, well-known types in their JSON
mapping. Each message is one component schema, `$ref`'d by its full name.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor

Schema = dict[str, Any]
_F = FieldDescriptor
_INTEGERS = {_F.TYPE_INT32, _F.TYPE_UINT32, _F.TYPE_SINT32, _F.TYPE_FIXED32, _F.TYPE_SFIXED32}
_LONGS = {_F.TYPE_INT64, _F.TYPE_UINT64, _F.TYPE_SINT64, _F.TYPE_FIXED64, _F.TYPE_SFIXED64}
_WELL_KNOWN: dict[str, Schema] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?\d+(\.\d+)?s$"},
    "google.protobuf.Struct": {"type": "object"},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array"},
    "google.protobuf.FieldMask": {"type": "string"},
    "google.protobuf.Empty": {"type": "object"},
    "google.protobuf.StringValue": {"type": "string"},
    "google.protobuf.BoolValue": {"type": "boolean"},
    "google.protobuf.Int32Value": {"type": "integer"},
    "google.protobuf.DoubleValue": {"type": "number"},
    "google.protobuf.Int64Value": {"type": "string"},
}


def component_name(descriptor: Descriptor) -> str:
    return descriptor.full_name.replace(".", "_")


def ref(descriptor: Descriptor) -> Schema:
    return {"$ref": f"#/components/schemas/{component_name(descriptor)}"}


class ProtoSchemas:
    """Collects the component schemas of every message referenced, for responses or requests."""

    def __init__(self) -> None:
        self.components: dict[str, Schema] = {}

    def message(self, descriptor: Descriptor, *, omit: frozenset[str] = frozenset()) -> Schema:
        """The schema of a message (inline when fields are omitted, e.g. the path parameters)."""
        if descriptor.full_name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[descriptor.full_name])
        if omit:
            return self._object(descriptor, omit)
        name = component_name(descriptor)
        if name not in self.components:
            self.components[name] = {}  # reserved first: recursive messages refer to themselves
            self.components[name] = self._object(descriptor, frozenset())
        return ref(descriptor)

    def _object(self, descriptor: Descriptor, omit: frozenset[str]) -> Schema:
        properties: Schema = {}
        required: list[str] = []
        for field in descriptor.fields:
            if field.name in omit:
                continue
            properties[field.name] = self._field(field)
            if not _has_presence(field):
                required.append(field.name)
        schema: Schema = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        return schema

    def _field(self, field: FieldDescriptor) -> Schema:
        if _is_map(field):
            assert field.message_type is not None
            value = field.message_type.fields_by_name["value"]
            return {"type": "object", "additionalProperties": self._single(value)}
        if field.is_repeated:
            return {"type": "array", "items": self._single(field)}
        return self._single(field)

    def _single(self, field: FieldDescriptor) -> Schema:
        kind = field.type
        if kind == _F.TYPE_MESSAGE:
            assert field.message_type is not None
            return self.message(field.message_type)
        if kind == _F.TYPE_ENUM:
            assert field.enum_type is not None
            return {"type": "string", "enum": [v.name for v in field.enum_type.values]}
        if kind in _INTEGERS:
            return {"type": "integer"}
        if kind in _LONGS:
            return {"type": "string", "pattern": r"^-?\d+$"}
        if kind in (_F.TYPE_FLOAT, _F.TYPE_DOUBLE):
            return {"type": "number"}
        if kind == _F.TYPE_BOOL:
            return {"type": "boolean"}
        if kind == _F.TYPE_BYTES:
            return {"type": "string", "contentEncoding": "base64"}
        return {"type": "string"}


def _is_map(field: FieldDescriptor) -> bool:
    entry = field.message_type
    return field.type == _F.TYPE_MESSAGE and field.is_repeated and entry is not None and entry.GetOptions().map_entry


def _has_presence(field: FieldDescriptor) -> bool:
    """Left out of the JSON when unset: message fields, oneof members and proto3 `optional`."""
    if field.is_repeated:
        return False
    return field.type == _F.TYPE_MESSAGE or field.containing_oneof is not None or bool(field.has_presence)
