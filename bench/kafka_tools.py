"""Kafka's own ProducerPerformance / ConsumerPerformance: the broker's ceiling on this machine."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

__all__ = ["consumer_performance", "producer_performance"]


def _java(jars: Path, main: str, *args: str) -> str:
    command = ["java", "-Xmx512m", "-cp", f"{jars}/*", main, *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    return result.stdout


def producer_performance(jars: Path, bootstrap: str, topic: str, records: int) -> float:
    """Produce ``records`` 300-byte records as fast as possible; return records/s."""
    props = [f"bootstrap.servers={bootstrap}", "linger.ms=5", "acks=1"]
    out = _java(jars, "org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
                "--num-records", str(records), "--record-size", "300", "--throughput", "-1",
                "--producer-props", *props)  # fmt: skip
    found = re.findall(r"([\d.]+) records/sec", out)
    if not found:
        raise RuntimeError(f"ProducerPerformance printed no rate: {out[-500:]}")
    return float(found[-1])


def consumer_performance(jars: Path, bootstrap: str, topic: str, records: int) -> float:
    """Consume ``records`` records of ``topic``; return records/s (nMsg.sec)."""
    out = _java(jars, "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server",
                bootstrap, "--topic", topic, "--messages", str(records))  # fmt: skip
    header, *rows = [line for line in out.splitlines() if "," in line]
    columns = [c.strip() for c in header.split(",")]
    values = [v.strip() for v in rows[-1].split(",")]
    return float(values[columns.index("nMsg.sec")])
