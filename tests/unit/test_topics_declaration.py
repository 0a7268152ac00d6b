"""The topic declaration: one ingress and outbox per organisation, logs kept forever."""

from hub.topics import FOREVER, hub_topics


def _by_name() -> dict[str, object]:
    return {s.name: s for s in hub_topics(["vr07", "ncc"], ["incident", "clock"])}


def test_each_organisation_gets_an_ingress_and_an_outbox() -> None:
    """Ingress and outbox topics exist per organisation, with finite retention."""
    specs = {s.name: s for s in hub_topics(["vr07", "ncc"], ["incident"])}
    for org in ("vr07", "ncc"):
        assert specs[f"kcr.ingress.{org}"].retention_ms > 0
        assert specs[f"kcr.outbox.{org}"].retention_ms > 0


def test_event_log_and_dead_letters_are_kept_forever() -> None:
    """kcr.log.* and kcr.deadletter delete nothing: retention.ms and retention.bytes are -1."""
    specs = {s.name: s for s in hub_topics(["vr07"], ["incident", "clock"])}
    for name in ("kcr.log.incident", "kcr.log.clock", "kcr.deadletter"):
        configs = specs[name].configs()
        assert specs[name].retention_ms == FOREVER
        assert configs["retention.ms"] == "-1"
        assert configs["retention.bytes"] == "-1"
        assert configs["cleanup.policy"] == "delete"


def test_views_are_compacted() -> None:
    """Every kcr.view.* topic is compacted and carries no retention limit."""
    specs = hub_topics(["vr07"], ["incident"])
    views = [s for s in specs if s.name.startswith("kcr.view.")]
    assert {s.name for s in views} == {
        "kcr.view.situation",
        "kcr.view.capacity",
        "kcr.view.scenarios",
    }
    assert all(s.configs()["cleanup.policy"] == "compact" for s in views)
    assert all("retention.ms" not in s.configs() for s in views)


def test_names_are_unique_and_sorted_inputs_do_not_matter() -> None:
    """No topic is declared twice, and the order of the inputs does not change the result."""
    a = hub_topics(["vr07", "ncc", "vr07"], ["incident", "clock"])
    b = hub_topics(["ncc", "vr07"], ["clock", "incident"])
    assert [s.name for s in a] == [s.name for s in b]
    assert len({s.name for s in a}) == len(a)
