"""CAP 1.2 and EDXL-DE through the bridge on the real broker: mapped, then published."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from connectors.edxl import wrap_edxl
from hub.codec.headers import header_map
from tests.integration.bridge_support import issue_keys, running_bridge
from tests.integration.gateway_support import (
    fresh_example,
    make_hub_topics,
    read_all,
    unique_prefix,
)
from tests.unit.test_connectors_cap import _alert

XML = {"Content-Type": "application/xml"}


async def test_cap_and_edxl_are_published_and_bad_xml_is_named(
    kafka_bootstrap: str, unique_name: Callable[[str], str], registry_url: str, tmp_path: Path
) -> None:
    """A CAP alert and an EDXL distribution become ingress events; broken CAP is 422."""
    names = await asyncio.to_thread(
        make_hub_topics, kafka_bootstrap, unique_prefix(unique_name), ("vr19",)
    )
    keys = issue_keys(tmp_path / "keys.json", "vr19")
    auth = {**XML, "X-API-Key": keys["vr19"]}
    sent = datetime.now(UTC).replace(microsecond=0).isoformat()
    event = fresh_example("incident.reported")
    async with (
        running_bridge(kafka_bootstrap, names, registry_url, tmp_path / "keys.json") as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        cap = await http.post("/v1/cap", content=_alert(sent=sent), headers=auth)
        edxl = await http.post("/v1/edxl", content=wrap_edxl(event), headers=auth)
        broken = await http.post("/v1/cap", content=b"<alert/>", headers=auth)
    assert cap.status_code == 202, cap.text
    assert edxl.status_code == 202, edxl.text
    assert edxl.json()["ids"] == [event.id]
    assert broken.status_code == 422
    assert broken.json()["errors"]
    ingress = await read_all(kafka_bootstrap, [names.ingress("vr19")])
    ids = [header_map(record.headers)["ce_id"] for record in ingress]
    assert ids == [*cap.json()["ids"], event.id]
