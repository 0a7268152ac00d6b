"""The service runner starts services in order and stops them together."""

from __future__ import annotations

import asyncio

import pytest

from hub.runner import Service, ServiceFailed, run_services


def _recording(name: str, log: list[str]) -> Service:
    async def main(stop: asyncio.Event, ready: asyncio.Event) -> None:
        log.append(f"start {name}")
        ready.set()
        await stop.wait()
        log.append(f"stop {name}")

    return Service(name, main)


async def test_services_start_in_order_and_all_stop() -> None:
    """Both services start (a before b) and both finish after stop is set."""
    log: list[str] = []
    stop = asyncio.Event()
    runner = asyncio.create_task(run_services([_recording("a", log), _recording("b", log)], stop))
    await asyncio.sleep(0.05)
    stop.set()
    await runner
    assert log[:2] == ["start a", "start b"]
    assert sorted(log[2:]) == ["stop a", "stop b"]


async def test_a_failing_service_stops_the_others_and_is_reported() -> None:
    """When b crashes after starting, a is stopped and the error reaches the caller."""
    log: list[str] = []

    async def crashing(stop: asyncio.Event, ready: asyncio.Event) -> None:
        ready.set()
        await asyncio.sleep(0.01)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        await run_services([_recording("a", log), Service("b", crashing)], asyncio.Event())
    assert log == ["start a", "stop a"]


async def test_a_service_that_never_gets_ready_is_a_clear_failure() -> None:
    """A service not ready within its timeout fails with its name in the message."""

    async def sleepy(stop: asyncio.Event, ready: asyncio.Event) -> None:
        await stop.wait()

    with pytest.raises(ServiceFailed, match="service sleepy: not ready within 0 s"):
        await run_services([Service("sleepy", sleepy, ready_timeout=0.05)], asyncio.Event())
