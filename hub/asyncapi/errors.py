"""Errors of the AsyncAPI generator."""

from __future__ import annotations

from hub.errors import HubError

__all__ = ["UndescribedTopic", "UnsupportedFormat"]


class UndescribedTopic(HubError, ValueError):
    """A declared topic that the generator does not know how to describe."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        super().__init__(
            f"Topic {topic!r} is declared but the AsyncAPI generator has no channel for it.",
            fix="describe its messages in hub/asyncapi/channels.py.",
        )


class UnsupportedFormat(HubError, ValueError):
    """An output file whose extension names no format the generator writes."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"Cannot tell the format of {path!r} from its extension.",
            fix="name the file *.json, *.yaml or *.yml.",
        )
