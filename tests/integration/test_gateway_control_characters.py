"""The gateway on the real broker dead-letters control characters in ids, subjects and sources."""

from __future__ import annotations

from collections.abc import Callable

from hub.codec.headers import header_map
from hub.codec.registry_client import HttpSchemaRegistry
from hub.codec.serde import EventCodec
from tests.integration.gateway_support import (
    RawRecord,
    fresh_example,
    make_hub_topics,
    publish,
    running_gateway,
    send_raw,
    unique_prefix,
    wait_for_records,
)


async def test_a_nul_in_the_subject_is_dead_lettered_with_its_own_reason(
    kafka_bootstrap: str, registry_url: str, unique_name: Callable[[str], str]
) -> None:
    """Avro records with NUL, ESC or DEL in id/subject go to kcr.deadletter; good ones pass."""
    names = make_hub_topics(kafka_bootstrap, unique_prefix(unique_name), ("vr19",))
    codec = EventCodec(HttpSchemaRegistry(registry_url))
    ingress = names.ingress("vr19")
    forged = {
        "subject": fresh_example("incident.reported").model_copy(
            update={"subject": "inc-vr19\x00-1"}
        ),
        "id": fresh_example("incident.reported").model_copy(update={"id": "evt\x1b[2J"}),
        "correlationid": fresh_example("incident.reported").model_copy(
            update={"correlationid": "c\x7f"}
        ),
    }
    bad: list[RawRecord] = [
        (ingress, field.encode(), await codec.encode(event), []) for field, event in forged.items()
    ]
    good = fresh_example("incident.reported")
    async with running_gateway(kafka_bootstrap, names, registry_url) as gateway:
        await send_raw(kafka_bootstrap, bad)
        await publish(kafka_bootstrap, codec, ingress, [good])
        letters = await wait_for_records(kafka_bootstrap, [names.deadletter], len(bad))
        logged = await wait_for_records(kafka_bootstrap, [names.log("incident")], 1)
    assert gateway.stats.rejected == {"control_character": len(bad)}
    details = {r.key.decode(): header_map(r.headers) for r in letters if r.key is not None}
    for field in forged:
        assert details[field]["kcr_reason"] == "control_character"
        assert details[field]["kcr_detail"].startswith(f"{field}: contains the control character")
    assert [(await codec.decode_event(r.value)).id for r in logged] == [good.id]
