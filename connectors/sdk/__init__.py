"""The Python SDK an organisation runs to talk to the hub: :class:`HubClient`.

``async with HubClient(ClientSettings(...)) as client``: :meth:`HubClient.publish` validates an
event (model or CloudEvents JSON dict) from the client's own organisation and sends it to
``kcr.ingress.<org>``; :meth:`HubClient.outbox` iterates over ``kcr.outbox.<org>`` with its
progress committed per item; :meth:`HubClient.acknowledge` answers a coordination request.
"""

from connectors.sdk.client import EventInput, HubClient
from connectors.sdk.errors import (
    ClientNotStarted,
    EventTooLarge,
    NotAddressedToClient,
    PublishFailed,
)
from connectors.sdk.outbox import OutboxReader
from connectors.sdk.settings import ClientSettings, SaslCredentials
from hub.codec.structured import SourceMismatch

__all__ = [
    "ClientNotStarted",
    "ClientSettings",
    "EventInput",
    "EventTooLarge",
    "HubClient",
    "NotAddressedToClient",
    "OutboxReader",
    "PublishFailed",
    "SaslCredentials",
    "SourceMismatch",
]
