"""Bytes on Kafka: Avro in the Confluent wire format, the registry client, CloudEvents headers."""
