"""One consumed batch: its records, where it starts and ends per partition, and its generation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hub.kafka.records import ConsumedRecord, Position

__all__ = ["Batch"]


@dataclass(frozen=True)
class Batch:
    """The records of one take, with the offsets a rewind or a commit needs."""

    records: Sequence[ConsumedRecord]
    starts: dict[Position, int]
    """The first offset of the batch per partition (where a rewind reads from again)."""
    ends: dict[Position, int]
    """One past the last offset per partition (the group's next offsets once it lands)."""
    group_metadata: object
    """The consumer group's generation when the batch was taken (offsets belong to it)."""

    @classmethod
    def of(cls, records: Sequence[ConsumedRecord], group_metadata: object) -> Batch:
        """Collect the starts and ends of ``records`` (each partition's records in order)."""
        starts: dict[Position, int] = {}
        ends: dict[Position, int] = {}
        for record in records:
            position = (record.topic() or "", record.partition() or 0)
            offset = record.offset() or 0
            if position not in starts:
                starts[position] = offset
            ends[position] = offset + 1
        return cls(records, starts, ends, group_metadata)

    def __len__(self) -> int:
        """How many records the batch holds."""
        return len(self.records)
