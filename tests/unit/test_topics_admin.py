"""Which admin errors ``apply_topics`` retries while a cluster's metadata settles."""

from __future__ import annotations

import pytest
from confluent_kafka import KafkaError, KafkaException

from hub.topics.admin import _is_transient


@pytest.mark.parametrize(
    "code",
    [KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError.LEADER_NOT_AVAILABLE, KafkaError.NOT_CONTROLLER],
)
def test_settling_cluster_errors_are_retried(code: int) -> None:
    """The answers of a cluster that has not yet spread a new topic's metadata are transient."""
    assert _is_transient(KafkaException(KafkaError(code)))


@pytest.mark.parametrize(
    "code",
    [
        KafkaError.INVALID_REPLICATION_FACTOR,
        KafkaError.TOPIC_AUTHORIZATION_FAILED,
        KafkaError.INVALID_CONFIG,
    ],
)
def test_real_refusals_are_not_retried(code: int) -> None:
    """A refusal that asking again cannot change is raised at once."""
    assert not _is_transient(KafkaException(KafkaError(code)))
