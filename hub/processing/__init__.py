"""Deterministic sequencing of the log for the projections, shared by live workers and replay.

No Kafka client here: records come in as (topic, partition, offset, event); clock ticks decide
when the buffered events are applied and the rules evaluated, so the live workers and a replay
apply the same events in the same order before every tick.
"""
