"""SSE ids of the outbox stream: partition-offset positions that resume exactly."""

from __future__ import annotations

import pytest

from hub.bridge.problems import BridgeProblem
from hub.bridge.sse import format_event_id, parse_event_id, sse_message


def test_ids_round_trip() -> None:
    """An id parses back into the positions it was made of, partitions in order."""
    positions = {1: 7, 0: 41}
    assert format_event_id(positions) == "0-41,1-7"
    assert parse_event_id("0-41,1-7") == positions
    assert parse_event_id(" 0-41 ") == {0: 41}


def test_no_id_means_the_beginning() -> None:
    """An empty Last-Event-ID names no position."""
    assert parse_event_id("") == {}


@pytest.mark.parametrize(
    "text", ["41", "0-", "-3", "a-1", "0-1,x", "0--1", "0-\u00b2", "\u0661-1", "0-1,,1-2", "0-1\n"]
)
def test_malformed_ids_are_a_400_naming_the_header(text: str) -> None:
    """A malformed Last-Event-ID is refused with the header named and a fix."""
    with pytest.raises(BridgeProblem) as caught:
        parse_event_id(text)
    assert caught.value.status == 400
    assert caught.value.errors[0].field == "Last-Event-ID"


def test_a_message_has_id_event_and_one_data_line() -> None:
    """Each message is id, event, single-line data JSON and a blank line."""
    message = sse_message("0-3", "nl.kcr.advice.published", {"a": "b\nc"})
    assert message == b'id: 0-3\nevent: nl.kcr.advice.published\ndata: {"a":"b\\nc"}\n\n'
