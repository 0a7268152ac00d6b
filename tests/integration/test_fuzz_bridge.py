"""Fuzzing the bridge's HTTP API: hypothesis-made requests, good and bad, on the real broker.

Never a 5xx; every refusal is problem details (422 and 403 name the fields); nothing from a
refused request reaches the ingress, and every accepted event reaches it exactly once.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hub.codec.headers import header_map
from hub.contracts.events.catalogue import to_cloudevent_json
from hub.topics.declaration import TopicNames
from tests.integration.bridge_support import issue_keys
from tests.integration.fuzz_support import small_body_bridge
from tests.integration.gateway_support import (
    fresh_example,
    make_hub_topics,
    read_all,
    unique_prefix,
)

REQUESTS = 40
MAX_BODY = 64 * 1024
CE = "application/cloudevents-batch+json"
MUTATIONS: tuple[tuple[str, Any], ...] = (
    ("data.grip_level", "9"), ("data.grip_level", 9), ("data.grip_level", []),
    ("data.severity", "apocalyptic"), ("data.severity", {}), ("data.regions", []),
    ("data.title", ""), ("data.title", "t" * 201), ("data.description", "d" * 10_001),
    ("data.incident_id", ["x"]), ("id", ""), ("id", 5), ("id", "has space"),
    ("tlp", "PURPLE"), ("time", "yesterday"), ("subject", None),
)  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)  # fmt: skip
Spec = tuple[str, int, Any, bytes]  # kind, a number, some JSON, some bytes


@dataclass(frozen=True)
class Call:
    """One request and what the bridge must answer: statuses allowed, fields it must name."""

    kind: str
    path: str
    body: bytes
    headers: dict[str, str]
    statuses: frozenset[int]
    fields: frozenset[str] = frozenset()
    ids: tuple[str, ...] = ()


@dataclass
class Caller:
    """Builds calls for one hub: vr19's key, and vr07's for the wrong-organisation case."""

    keys: dict[str, str]
    made: set[str] = field(default_factory=set)

    def document(self, **changes: Any) -> dict[str, Any]:
        """A valid incident.reported from vr19 as CloudEvents JSON, its id remembered."""
        document = to_cloudevent_json(fresh_example("incident.reported", source="vr19"))
        self.made.add(document["id"])
        for path, value in changes.items():
            _set(document, path, value)
        return document

    def call(self, kind: str, payload: Any, statuses: set[int], **extra: Any) -> Call:
        """A JSON POST to /v1/events with vr19's key (``extra``: fields, ids, headers, body)."""
        headers = {"Content-Type": CE, "X-API-Key": self.keys["vr19"], **extra.pop("headers", {})}
        body = extra.pop("body", None) or json.dumps(payload).encode()
        return Call(kind, "/v1/events", body, headers, frozenset(statuses), **extra)


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, name = path.split(".")
    for parent in parents:
        document = document[parent]
    document[name] = value


def _good(c: Caller, s: Spec) -> Call:
    docs = [c.document() for _ in range(1 + s[1] % 4)]
    if s[1] % 5 == 0:
        return c.call("good", docs[0], {202}, ids=(docs[0]["id"],))
    return c.call("good", docs, {202}, ids=tuple(d["id"] for d in docs))


def _mixed_batch(c: Caller, s: Spec) -> Call:
    size = 2 + s[1] % 5
    bad = {i for i in range(size) if (s[1] >> i) & 1} or {0}
    docs = [c.document(**({"data.grip_level": "9"} if i in bad else {})) for i in range(size)]
    wanted = frozenset(f"event[{i}].data.grip_level" for i in bad)
    return c.call("mixed_batch", docs, {422}, fields=wanted)


def _wrong_type(c: Caller, s: Spec) -> Call:
    path, value = MUTATIONS[s[1] % len(MUTATIONS)]
    return c.call("wrong_type", c.document(**{path: value}), {422}, fields={f"event.{path}"})


def _random_json(c: Caller, s: Spec) -> Call:
    return c.call("random_json", s[2], {403, 422})


def _deep_nesting(c: Caller, s: Spec) -> Call:
    depth = 500 + s[1] % 30_000
    inner = "[" * depth + "]" * depth
    body = json.dumps(c.document(**{"data.location": "@"})).replace('"@"', inner)
    return c.call("deep_nesting", None, {422}, body=(inner if s[1] % 2 else body).encode())


def _huge(c: Caller, s: Spec) -> Call:
    document = c.document(**{"data.description": "h" * (MAX_BODY + s[1])})
    return c.call("huge", document, {413})


def _content_type(c: Caller, s: Spec) -> Call:
    media = ("text/plain", "application/xml", "", "application/x-www-form-urlencoded")[s[1] % 4]
    return c.call("content_type", c.document(), {415}, headers={"Content-Type": media})


def _bad_key(c: Caller, s: Spec) -> Call:
    choice = s[1] % 3
    key = ("", "not-a-key-" + s[3].hex(), c.keys["vr07"])[choice]
    status = {401} if choice < 2 else {403}
    wanted = frozenset({"event.source"} if choice == 2 else ())
    return c.call("bad_key", c.document(), status, headers={"X-API-Key": key}, fields=wanted)


def _not_json(c: Caller, s: Spec) -> Call:
    return c.call("not_json", None, {403, 422}, body=b"\xff" + s[3])


def _other_route(c: Caller, s: Spec) -> Call:
    path, media = (("/v1/cap", "application/cap+xml"), ("/v1/edxl", "application/xml"),
                   ("/v1/capacity.csv", "text/csv"))[s[1] % 3]  # fmt: skip
    text = s[3].decode("latin-1") if s[1] % 2 else json.dumps(s[2])
    headers = {"Content-Type": media, "X-API-Key": c.keys["vr19"]}
    return Call("other_route", path, text.encode(), headers, frozenset({202, 422}))


BUILDERS: dict[str, Callable[[Caller, Spec], Call]] = {
    b.__name__.removeprefix("_"): b
    for b in (_good, _mixed_batch, _wrong_type, _random_json, _deep_nesting, _huge,
              _content_type, _bad_key, _not_json, _other_route)
}  # fmt: skip
SPECS = st.lists(
    st.tuples(st.sampled_from([*sorted(BUILDERS), "good", "good"]), st.integers(0, 2**20),
              JSON, st.binary(max_size=32)),
    min_size=REQUESTS, max_size=REQUESTS,
)  # fmt: skip


@dataclass
class FuzzBridge:
    """One bridge shared by every example, and what the run sent and had accepted."""

    bootstrap: str
    url: str
    names: TopicNames
    caller: Caller
    accepted: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)


@pytest.fixture
async def fuzz_bridge(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str], tmp_path: Path
) -> AsyncIterator[FuzzBridge]:
    """Ingress topics of vr19 and vr07 under a prefix of their own, and one bridge."""
    prefix = unique_prefix(unique_name)
    names = await asyncio.to_thread(make_hub_topics, kafka_bootstrap, prefix, ("vr19", "vr07"))
    keys = issue_keys(tmp_path / "keys.json", "vr19", "vr07")
    async with small_body_bridge(
        kafka_bootstrap, names, registry_url, tmp_path / "keys.json", MAX_BODY
    ) as url:
        hub = FuzzBridge(kafka_bootstrap, url, names, Caller(keys))
        yield hub
    print(f"bridge fuzz, all examples: statuses={dict(hub.statuses)} "
          f"accepted events={sum(hub.accepted.values())}")  # fmt: skip


def _check_answer(call: Call, response: httpx.Response) -> list[str]:
    """The ids the answer says were published; asserts it is the answer ``call`` must get."""
    where = f"{call.kind} {call.path}: {response.status_code} {response.text[:300]}"
    assert response.status_code < 500, where
    assert response.status_code in call.statuses, where
    body = response.json()
    if response.status_code == 202:
        assert not call.ids or tuple(body["ids"]) == call.ids, where
        return list(body["ids"])
    assert response.headers["content-type"] == "application/problem+json", where
    assert body["status"] == response.status_code, where
    assert body["type"].startswith("urn:kcr:problem:"), where
    named = {error["field"] for error in body.get("errors", [])}
    if response.status_code in (403, 422):
        assert named, where
        assert all(named), where
    assert all(any(n.startswith(f) for n in named) for f in call.fields), where
    if call.kind == "mixed_batch":
        assert {n.split(".")[0] for n in named} == {f.split(".")[0] for f in call.fields}, where
    return list(body.get("published") or [])


@pytest.mark.slow
@settings(
    max_examples=4,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),  # shrinking a batch of hundreds takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)  # fmt: skip
@given(specs=SPECS)
async def test_bad_requests_are_refused_and_good_events_reach_the_ingress_once(
    fuzz_bridge: FuzzBridge, specs: list[Spec]
) -> None:
    """Mixed requests: no 5xx, problem details naming fields, accepted ids in the ingress once."""
    hub = fuzz_bridge
    hub.caller.made.clear()
    calls = [BUILDERS[spec[0]](hub.caller, spec) for spec in specs]
    published: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=hub.url, timeout=30) as http:
        for call in calls:
            response = await http.post(call.path, content=call.body, headers=call.headers)
            hub.statuses[response.status_code] += 1
            published.update(_check_answer(call, response))
    hub.accepted.update(published)
    ingress = await read_all(hub.bootstrap, [hub.names.ingress("vr19"), hub.names.ingress("vr07")])
    arrived = Counter(header_map(r.headers)["ce_id"] for r in ingress)
    mine = Counter({i: n for i, n in arrived.items() if i in hub.caller.made or i in published})
    refused = {i: n for i, n in mine.items() if i not in published}
    doubled = {i: n for i, n in mine.items() if n > 1}
    lost = set(published) - set(mine)
    print(
        f"bridge fuzz, {len(calls)} requests: accepted events={sum(published.values())} "
        f"refused reaching ingress={len(refused)} lost={len(lost)} duplicated={len(doubled)}"
    )
    assert (refused, doubled, lost) == ({}, {}, set())
    assert sum(arrived.values()) == sum(hub.accepted.values())
