"""The Confluent wire format: framing and the errors for bytes that are not framed."""

import pytest

from hub.codec.wire import pack, unpack
from hub.errors import CodecError


def test_pack_then_unpack_gives_the_id_and_body_back() -> None:
    """Magic byte 0, a big-endian 4-byte id, then the body unchanged."""
    framed = pack(258, b"avro-body")
    assert framed[:5] == b"\x00\x00\x00\x01\x02"
    schema_id, body = unpack(framed)
    assert schema_id == 258
    assert bytes(body) == b"avro-body"


@pytest.mark.parametrize("data", [None, b"", b"\x00\x00\x01"])
def test_too_short_is_undecodable(data: bytes | None) -> None:
    """Fewer than five bytes cannot hold the header."""
    with pytest.raises(CodecError, match="too short") as info:
        unpack(data)
    assert info.value.reason == "undecodable"


def test_wrong_magic_byte_is_undecodable() -> None:
    """A value that starts with anything but 0 is not the wire format (e.g. plain JSON)."""
    with pytest.raises(CodecError, match="magic byte") as info:
        unpack(b'{"id": 1}')
    assert info.value.reason == "undecodable"
