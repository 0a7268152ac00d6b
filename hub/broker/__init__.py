"""The local Apache Kafka broker (KRaft mode) run from the Maven Central jars."""

from hub.broker.probe import broker_answers
from hub.broker.process import BrokerStatus, LocalBroker

__all__ = ["BrokerStatus", "LocalBroker", "broker_answers"]
