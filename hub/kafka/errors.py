"""What a failed librdkafka call means for its caller, in the hub's vocabulary.

librdkafka marks each error of its transactional API with one of three flags (its
``INTRODUCTION.md``, "Transactional producer"): *retriable* (call the same function again),
*abortable* (``txn_requires_abort``: abort the transaction, then run it again) or *fatal*
(this producer instance can do nothing more; a new one may). An error with no flag is treated
as fatal, as librdkafka advises. Fencing (``_FENCED``: a newer producer took the transactional
id) is fatal too, but means a newer instance runs: the caller stops rather than fence it back.

These classes carry no client type, so code above ``hub/kafka/`` (and its tests) handle and
raise them without importing a Kafka client library.
"""

from __future__ import annotations

from confluent_kafka import KafkaError, KafkaException

from hub.errors import HubError

__all__ = [
    "KafkaUnavailable",
    "ProducerFenced",
    "TransactionAbortable",
    "TransactionError",
    "TransactionFatal",
    "TransactionRetriable",
    "kafka_unavailable",
    "transaction_error",
]


class KafkaUnavailable(HubError, ConnectionError):
    """A client call (metadata, committed offsets) did not get its answer; retried by callers."""

    def __init__(self, operation: str, detail: str) -> None:
        self.operation = operation
        self.detail = detail
        super().__init__(f"Kafka did not answer {operation}: {detail}")


class TransactionError(HubError, RuntimeError):
    """A transactional call failed; the subclass says what the caller may do next."""

    def __init__(self, operation: str, code: str, detail: str) -> None:
        self.operation = operation
        self.code = code
        self.detail = detail
        super().__init__(f"{operation} failed ({code}): {detail}")


class TransactionRetriable(TransactionError):
    """The call may be made again as it was (its transaction is still open)."""


class TransactionAbortable(TransactionError):
    """The transaction cannot commit: abort it, then run the whole batch again."""


class TransactionFatal(TransactionError):
    """The producer is unusable; whether its last commit landed is unknown. A new one may go on."""


class ProducerFenced(TransactionFatal):
    """A newer producer holds the transactional id: this instance must stop, not fence it back."""


def transaction_error(
    operation: str,
    error: KafkaException,
    unflagged: type[TransactionError] = TransactionFatal,
) -> TransactionError:
    """Return the class of ``error`` (raised by ``operation``) by librdkafka's flags.

    An error with none of the flags becomes ``unflagged`` (fatal unless the caller knows better).
    """
    kafka_error = _kafka_error(error)
    if kafka_error is None:
        return unflagged(operation, "unknown", str(error))
    code, detail = kafka_error.name(), kafka_error.str()
    if kafka_error.code() == KafkaError._FENCED:
        return ProducerFenced(operation, code, detail)
    if kafka_error.fatal():
        return TransactionFatal(operation, code, detail)
    if kafka_error.txn_requires_abort():
        return TransactionAbortable(operation, code, detail)
    if kafka_error.retriable():
        return TransactionRetriable(operation, code, detail)
    return unflagged(operation, code, detail)


def kafka_unavailable(operation: str, error: KafkaException) -> KafkaUnavailable:
    """Return ``error`` of a non-transactional call as :class:`KafkaUnavailable`."""
    kafka_error = _kafka_error(error)
    return KafkaUnavailable(operation, kafka_error.str() if kafka_error else str(error))


def _kafka_error(error: KafkaException) -> KafkaError | None:
    first = error.args[0] if error.args else None
    return first if isinstance(first, KafkaError) else None
