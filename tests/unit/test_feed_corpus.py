"""The corpus of public real-world CAP and EDXL samples: each file's outcome as the manifest says.

tests/fixtures/feeds/MANIFEST.toml names every file's source, licence and expected outcome.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from connectors.cap import CapRefused, cap_to_events
from connectors.edxl import EdxlRefused, edxl_to_events
from hub.contracts.events.envelope import EventEnvelope

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
MANIFEST: list[dict[str, Any]] = tomllib.loads((FEEDS / "MANIFEST.toml").read_text("utf-8"))["feed"]
LICENCES = {"Apache-2.0", "MIT", "OASIS-notice", "public-domain"}


def accepted(events: tuple[EventEnvelope, ...]) -> dict[str, Any]:
    """The outcome of a mapping that produced ``events``: count, types, first category/regions."""
    data = events[0].data
    return {
        "outcome": "accepted",
        "events": len(events),
        "types": [event.type for event in events],
        "category": getattr(data, "category", None),
        "regions": list(getattr(data, "regions", None) or []),
    }


def outcome(entry: dict[str, Any]) -> dict[str, Any]:
    """Run the entry's file through its connector function and describe what happened."""
    data = (FEEDS / entry["file"]).read_bytes()
    options = {"source_org": entry["org"], "fallback_region": entry.get("fallback_region")}
    try:
        if entry["format"] == "cap":
            return accepted(cap_to_events(data, **options).events)
        imported = edxl_to_events(data, **options)
    except (CapRefused, EdxlRefused) as error:
        return {"outcome": "refused", "reason": error.reason}
    if imported.refusals:  # one refused payload refuses the distribution, as on the bridge
        return {"outcome": "refused", "reason": imported.refusals[0].reason}
    if not imported.events:
        return {"outcome": "refused", "reason": "no_event"}
    return accepted(imported.events)


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_each_sample_has_its_manifest_outcome(entry: dict[str, Any]) -> None:
    """Accepted with the listed events, category and regions, or refused with the reason."""
    want = dict(entry["expect"])
    got = outcome(entry)
    assert {key: got.get(key) for key in want} == want


def test_every_file_is_listed_once_and_every_listed_file_exists() -> None:
    """The folder and the manifest agree: no unlisted sample, no missing file, no repeats."""
    listed = [entry["file"] for entry in MANIFEST]
    on_disk = sorted(str(p.relative_to(FEEDS)) for p in FEEDS.rglob("*.xml"))
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed)


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_each_sample_names_source_licence_and_a_complete_outcome(entry: dict[str, Any]) -> None:
    """Every entry has a source URL, a redistributable licence, and a well-formed outcome."""
    assert entry["source"].startswith("https://")
    assert entry["licence"] in LICENCES
    assert entry["format"] in {"cap", "edxl"}
    expect = entry["expect"]
    if expect["outcome"] == "refused":
        assert set(expect) == {"outcome", "reason"}
    else:
        assert expect["outcome"] == "accepted"
        assert expect["events"] == len(expect["types"])
    assert not {"pending", "outcome_now"} & set(entry)  # the merge-time fields are gone


def test_the_corpus_covers_cap_11_cap_12_and_edxl_de() -> None:
    """At least 15 samples, CAP 1.1 and 1.2 and EDXL-DE among them, some accepted."""
    texts = [(FEEDS / e["file"]).read_bytes() for e in MANIFEST]
    assert len(MANIFEST) >= 15
    assert any(b"urn:oasis:names:tc:emergency:cap:1.1" in text for text in texts)
    assert any(b"urn:oasis:names:tc:emergency:cap:1.2" in text for text in texts)
    assert any(b"urn:oasis:names:tc:emergency:EDXL:DE:2.0" in text for text in texts)
    assert any(e["expect"]["outcome"] == "accepted" for e in MANIFEST)
