"""Every Kafka client of the hub is built here: librdkafka on hot paths, aiokafka at the edges.

librdkafka (confluent-kafka): the gateway (:mod:`~hub.kafka.gateway_clients`), the history
reader (:mod:`~hub.kafka.history_reader`), the worker's log reader and output producer, the
state topic and cluster administration (:mod:`~hub.kafka.admin`). aiokafka: the bridge, the
CLI's publish and tail, the schema registry's topic, the simulator and the clock
(:mod:`~hub.kafka.aio`, :mod:`~hub.kafka.reading`). Login options for both come from
:mod:`~hub.kafka.clients`, errors in the hub's vocabulary from :mod:`~hub.kafka.errors`.
Faust's own aiokafka driver inside ``hub/streams/`` and the partner SDK (``connectors/sdk``)
are the only other places a client library is imported (``tests/unit/test_kafka_imports.py``).
"""
