"""The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro body."""

from __future__ import annotations

import struct

from hub.errors import CodecError

__all__ = ["HEADER_SIZE", "MAGIC_BYTE", "pack", "unpack"]

MAGIC_BYTE = 0
HEADER_SIZE = 5
_HEADER = struct.Struct(">bI")


def pack(schema_id: int, body: bytes) -> bytes:
    """Frame an Avro ``body`` written with schema ``schema_id``."""
    return _HEADER.pack(MAGIC_BYTE, schema_id) + body


def unpack(data: bytes | None) -> tuple[int, memoryview]:
    """Split framed bytes into the schema id and the Avro body.

    Raises :class:`CodecError` with reason ``undecodable`` when the bytes are not framed.
    """
    if data is None or len(data) < HEADER_SIZE:
        size = 0 if data is None else len(data)
        raise CodecError(
            "undecodable",
            f"value of {size} bytes is too short for the Confluent wire format (5-byte header)",
        )
    magic, schema_id = _HEADER.unpack_from(data)
    if magic != MAGIC_BYTE:
        raise CodecError(
            "undecodable",
            f"value starts with byte {magic}, not the Confluent wire format's magic byte 0",
        )
    return schema_id, memoryview(data)[HEADER_SIZE:]
