"""Contracts of the hub: organisations, reference data and the event catalogue.

This layer is pure: pydantic, the standard library and packaged JSON data. It never imports a
Kafka, Faust, Avro or HTTP library, so the domain, the codec and partners can all rely on it.
"""
