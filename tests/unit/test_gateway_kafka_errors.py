"""librdkafka error flags become the gateway's error classes; a hung call gives the producer up."""

from __future__ import annotations

import time

import pytest
from confluent_kafka import KafkaError, KafkaException

from hub.gateway.service import GatewayWiring
from hub.kafka.errors import (
    ProducerFenced,
    TransactionAbortable,
    TransactionFatal,
    TransactionRetriable,
    transaction_error,
)
from hub.kafka.transactional import TransactionalProducer


def _raised(code: int, **flags: bool) -> KafkaException:
    return KafkaException(KafkaError(code, "from the test", **flags))


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (_raised(KafkaError._FENCED, fatal=True), ProducerFenced),
        (_raised(KafkaError.INVALID_PRODUCER_EPOCH, fatal=True), TransactionFatal),
        (_raised(KafkaError._TIMED_OUT, retriable=True), TransactionRetriable),
        (_raised(KafkaError._MSG_TIMED_OUT, txn_requires_abort=True), TransactionAbortable),
        (_raised(KafkaError._STATE), TransactionFatal),  # no flag: fatal, as librdkafka advises
    ],
)
def test_each_flag_has_its_class(error: KafkaException, expected: type[Exception]) -> None:
    """Fenced before fatal, fatal before abortable, abortable before retriable; none: fatal."""
    translated = transaction_error("commit_transaction", error)
    assert type(translated) is expected
    assert translated.operation == "commit_transaction"


async def test_a_call_that_does_not_return_in_time_gives_the_producer_up() -> None:
    """A transactional call hanging past its bound raises TransactionFatal (a new producer)."""
    producer = TransactionalProducer("127.0.0.1:1", "kcr-gateway-test")
    with pytest.raises(TransactionFatal, match="no answer within"):
        await producer._call("send_offsets_to_transaction", time.sleep, 0.5, bound=0.05)
    await producer.close(timeout=1.0)


def test_the_wiring_gives_librdkafka_keys_whichever_form_the_login_comes_in() -> None:
    """The login keywords of aiokafka are renamed; an SSL context is left to librdkafka."""
    aiokafka_style = {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "gateway",
        "sasl_plain_password": "pw",
        "ssl_context": object(),
    }
    clients = GatewayWiring("127.0.0.1:1", client_config=aiokafka_style, instance="2").clients()
    assert clients.options == {
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanisms": "SCRAM-SHA-512",
        "sasl.username": "gateway",
        "sasl.password": "pw",
    }
    assert clients.transactional_id == "kcr-gateway-2"
    assert GatewayWiring("b", client_config={"sasl.username": "g"}).clients().options == {
        "sasl.username": "g"
    }
