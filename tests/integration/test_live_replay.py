"""Analyst replay against a running hub on the real broker: time travel, archives, report, rebuild.

The hub runs as ``kcr run`` on this test's own topics; partners' events are published as they
would be. The CLI (``python -m hub.cli replay|export|report``) runs as a subprocess with the
hub's environment, as an analyst would run it.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from hub.contracts.outputs import EscalationEvent, RegionView, View
from hub.domain import testing as given
from hub.history.analysis.records import events_from_archive, read_log_items, to_log_events
from hub.history.archive.errors import RebuildRefused
from hub.history.archive.reader import read_archive
from hub.history.readers import active_signals, read_topic, read_with_tombstones
from hub.history.rebuild import VIEW_KINDS, check_processors_idle, processors_group
from hub.topics.declaration import TopicNames
from tests.hub_process import hub_process
from tests.integration.live_support import crisis, reader, signals_of, until, views

pytestmark = pytest.mark.slow

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def kcr(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hub.cli ARGS`` with ``env``; fail with its output unless it succeeds."""
    started = time.monotonic()
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "hub.cli", *args],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    print(f"kcr {' '.join(args)}: {time.monotonic() - started:.1f} s")
    if check:
        assert done.returncode == 0, f"kcr {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


async def replay_json(env: dict[str, str], *args: str) -> dict[str, Any]:
    """The JSON object ``kcr replay --json ARGS`` prints."""
    data: dict[str, Any] = json.loads((await kcr(env, "replay", "--json", *args)).stdout)
    return data


async def live_views_up_to(env: dict[str, str], tick: int) -> dict[str, dict[str, Any]]:
    """Per view kind, the latest record per key with a tick ≤ ``tick``, as the topics held then."""
    names, codec = reader(env)
    held: dict[str, dict[str, Any]] = {}
    for kind in VIEW_KINDS:
        records = await read_topic(env["KCR_BOOTSTRAP"], names.view(kind), codec)
        held[kind] = {
            key: view.model_dump(mode="json")
            for key, view in records
            if isinstance(view, View) and view.tick <= tick
        }
    return held


def _active(signals: list[EscalationEvent]) -> set[str]:
    return {event.data.signal_id for event in active_signals(signals)}


async def _play_crisis(env: dict[str, str], names: TopicNames) -> int:
    """Run the crisis to its end; return the tick at which vr19 was first shown at GRIP 4."""
    async with crisis(env["KCR_BOOTSTRAP"], names, env["KCR_REGISTRY_URL"]) as c:
        now = datetime.now(UTC)
        for org in ("vr19", "vr17", "vr20"):
            await c.send(given.capacity_reported("pump", now, org, total=100, available=90))
        await c.send(given.incident_reported("inc-zl", now, "vr19", grip_level="2"))

        async def grip(level: str) -> bool:
            region = (await views(env, "situation")).get("region/vr19")
            return isinstance(region, RegionView) and region.highest_grip == level

        await until(lambda: grip("2"), "vr19 at GRIP 2")
        later = datetime.now(UTC)
        await c.send(given.incident_updated("inc-zl", later, "vr19", grip_level="4"))
        await c.send(given.incident_reported("inc-rr", later, "vr17", grip_level="2"))
        for org in ("vr19", "vr17", "vr20"):
            await c.send(given.capacity_reported("pump", later, org, total=100, available=5))
        raised = {"grip-high/inc-zl", "capacity-shortfall/pump"}

        async def all_raised() -> bool:
            return raised <= _active(await signals_of(env))

        await until(all_raised, "grip and capacity signals", timeout=90)
        region = (await views(env, "situation"))["region/vr19"]
        assert isinstance(region, RegionView)
        mid_tick = region.tick
        await asyncio.sleep(1)  # a few more ticks, so the moment is truly mid-crisis
        end = datetime.now(UTC)
        await c.send(given.incident_closed("inc-zl", end, "vr19"))
        await c.send(given.incident_closed("inc-rr", end, "vr17"))
        for org in ("vr19", "vr17", "vr20"):
            await c.send(given.capacity_reported("pump", end, org, total=100, available=80))

        async def all_resolved() -> bool:
            return not (raised & _active(await signals_of(env)))

        await until(all_resolved, "every signal resolved", timeout=90)
    return mid_tick


async def _check_time_travel(env: dict[str, str], mid_tick: int) -> None:
    """``replay --until <time of the tick>`` equals what the view topics held at that tick."""
    live = await live_views_up_to(env, mid_tick)
    as_of = live["situation"]["region/vr19"]["as_of"]
    replayed = await replay_json(env, "--until", as_of, "--all")
    assert replayed["last_tick"] == mid_tick
    assert replayed["views"] == live
    assert replayed["views"]["situation"]["region/vr19"]["highest_grip"] == "4"
    signals = [s for s in await signals_of(env) if int(s.id.rsplit(":", 1)[1]) <= mid_tick]
    assert [s["id"] for s in replayed["signals"]] == [s.id for s in signals]


async def _check_refused_while_running(env: dict[str, str]) -> None:
    """``--rebuild`` refuses while the processors' group is active."""
    done = await kcr(env, "replay", "--rebuild", check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "active" in done.stderr
    assert "--force" in done.stderr


async def _check_archive(env: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    """Export → replay of the archive (no broker, no registry) equals the replay of the log."""
    archive = tmp_path / "crisis.avro"
    await kcr(env, "export", "--out", str(archive))
    from_log = await replay_json(env, "--all")
    offline = {**env, "KCR_BOOTSTRAP": "127.0.0.1:9", "KCR_REGISTRY_URL": "http://127.0.0.1:9"}
    from_archive = await replay_json(offline, "--all", "--archive", str(archive))
    assert from_archive == from_log
    assert from_log["events"] > 0
    assert from_log["views"]["capacity"]["resource/pump"]
    names, codec = reader(env)
    from_kafka = to_log_events(await read_log_items(env["KCR_BOOTSTRAP"], names, codec))
    assert events_from_archive(archive) == from_kafka
    await _check_export_window(env, archive, tmp_path)
    return from_log


async def _check_export_window(env: dict[str, str], full: Path, tmp_path: Path) -> None:
    """``--since`` keeps only records with a Kafka timestamp from then on."""
    stamps = sorted(record.timestamp for record in read_archive(full))
    middle = stamps[len(stamps) // 2]
    part = tmp_path / "since.avro"
    await kcr(env, "export", "--out", str(part), "--since", middle.isoformat())
    kept = [record.timestamp for record in read_archive(part)]
    assert kept
    assert min(kept) >= middle
    assert len(kept) == sum(1 for stamp in stamps if stamp >= middle)


async def _check_report(env: dict[str, str], tmp_path: Path) -> None:
    """The report's PNGs are written and their JSON series match the events sent."""
    out = tmp_path / "report"
    await kcr(env, "report", "--out", str(out))
    for name in ("grip_levels", "capacity", "signals"):
        png = out / f"{name}.png"
        assert png.read_bytes().startswith(PNG_MAGIC)
        assert png.stat().st_size > 1000
    grip = json.loads((out / "grip_levels.json").read_text(encoding="utf-8"))
    assert [p["grip"] for p in grip["vr19"]] == ["2", "4", None]
    assert [p["grip"] for p in grip["vr17"]] == ["2", None]
    capacity = json.loads((out / "capacity.json").read_text(encoding="utf-8"))
    pumps = [(p["available"], p["total"]) for p in capacity["pump"]]
    assert (15, 300) in pumps
    assert pumps[-1] == (240, 300)
    spans = {s["signal_id"]: s for s in json.loads((out / "signals.json").read_text("utf-8"))}
    for signal_id in ("grip-high/inc-zl", "capacity-shortfall/pump"):
        assert spans[signal_id]["resolved_at"] > spans[signal_id]["raised_at"]


async def _tamper(env: dict[str, str], names: TopicNames) -> None:
    """Put a ghost key and a wrong record on the view topics, as an old processor might have."""
    _, codec = reader(env)
    vr19 = (await views(env, "situation"))["region/vr19"]
    pumps = (await views(env, "capacity"))["resource/pump"]
    producer = AIOKafkaProducer(bootstrap_servers=env["KCR_BOOTSTRAP"])
    await producer.start()
    try:
        situation, capacity = names.view("situation"), names.view("capacity")
        await producer.send_and_wait(situation, await codec.encode(vr19), key=b"region/ghost")
        wrong = pumps.model_copy(update={"available": 1})
        await producer.send_and_wait(capacity, await codec.encode(wrong), key=b"resource/pump")
    finally:
        await producer.stop()


async def _wait_idle(env: dict[str, str], names: TopicNames) -> None:
    async def idle() -> bool:
        try:
            await check_processors_idle(env["KCR_BOOTSTRAP"], processors_group(names))
        except RebuildRefused:
            return False
        return True

    await until(idle, "the processors' group to be empty", timeout=60)


async def _check_rebuild(env: dict[str, str], names: TopicNames) -> None:
    """``--rebuild`` makes the view topics equal the replay, tombstoning the ghost; idempotent."""
    await _tamper(env, names)
    first = await kcr(env, "replay", "--rebuild")
    assert "tombstoned region/ghost" in first.stdout
    replayed = await replay_json(env)
    for kind in VIEW_KINDS:
        held = {k: v.model_dump(mode="json") for k, v in (await views(env, kind)).items()}
        assert held == replayed["views"][kind], kind
    _, codec = reader(env)
    situation = await read_with_tombstones(env["KCR_BOOTSTRAP"], names.view("situation"), codec)
    assert [value for key, value in situation if key == "region/ghost"][-1] is None
    second = await kcr(env, "replay", "--rebuild")
    assert "tombstoned" not in second.stdout
    for kind in VIEW_KINDS:
        held = {k: v.model_dump(mode="json") for k, v in (await views(env, kind)).items()}
        assert held == replayed["views"][kind], kind


@pytest.mark.timeout(900)  # one hub run serves every check: longer than the default 240 s
async def test_replay_archive_report_and_rebuild_on_a_live_hub(
    live_hub_env: dict[str, str], tmp_path: Path
) -> None:
    """Time travel equals the live views then; archives replay alike; report; rebuild."""
    env = live_hub_env
    names = TopicNames(env["KCR_TOPIC_PREFIX"])
    with hub_process(env, tmp_path / "hub.log") as hub:
        try:
            mid_tick = await _play_crisis(env, names)
            await _check_time_travel(env, mid_tick)
            await _check_refused_while_running(env)
        finally:
            print(hub.output()[-6000:])  # shown by pytest when the test fails
    # the registry alone from here on: the log stands still, the processors' group is empty
    registry_only = ("--without", "gateway", "--without", "clock", "--without", "processors")
    with hub_process(env, tmp_path / "registry.log", registry_only):
        await _wait_idle(env, names)
        await _check_archive(env, tmp_path)
        await _check_report(env, tmp_path)
        await _check_rebuild(env, names)
