"""The REST/webhook bridge for control rooms that cannot speak Kafka.

``POST /v1/events`` (CloudEvents JSON), ``/v1/cap``, ``/v1/edxl``, ``/v1/have`` (EDXL-HAVE) and
``/v1/capacity.csv``
publish to the organisation's ingress topic; ``GET /v1/outbox`` streams its outbox as
server-sent events; configured webhooks receive the outbox as signed POSTs
(:func:`verify_signature` checks them). Errors are RFC 9457 problem details.
"""

from hub.bridge.app import create_app
from hub.bridge.config import BridgeConfig, RetryPolicy, WebhookTarget
from hub.bridge.keys import ApiKeyStore
from hub.bridge.server import serve_bridge
from hub.bridge.signing import sign, verify_signature

__all__ = [
    "ApiKeyStore",
    "BridgeConfig",
    "RetryPolicy",
    "WebhookTarget",
    "create_app",
    "serve_bridge",
    "sign",
    "verify_signature",
]
