"""Bridge request bodies to events: every bad field named, batches all or nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from hub.bridge.problems import BridgeProblem
from hub.bridge.validation import cap_events, csv_import, csv_row_problem, json_events, parse_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events"
INCIDENT: dict[str, Any] = json.loads(
    (EXAMPLES / "incident.reported.json").read_text(encoding="utf-8")
)


def _incident(**data: Any) -> dict[str, Any]:
    document = copy.deepcopy(INCIDENT)
    document.pop("id")
    document["data"].update(data)
    return document


def _problem(payload: Any, org: str = "vr19") -> BridgeProblem:
    with pytest.raises(BridgeProblem) as caught:
        json_events(payload, org)
    return caught.value


def test_a_good_batch_becomes_events_with_ids() -> None:
    """Missing ids are filled in; the source is the key's organisation."""
    events = json_events([_incident(), _incident()], "vr19")
    assert len({event.id for event in events}) == 2
    assert {event.source for event in events} == {"vr19"}


def test_a_bad_field_is_named_with_its_index() -> None:
    """event[3].data.grip_level names the fourth event's field; the whole batch is refused."""
    batch = [_incident(), _incident(), _incident(), _incident(grip_level="9")]
    problem = _problem(batch)
    assert problem.status == 422
    assert [e.field for e in problem.errors] == ["event[3].data.grip_level"]
    assert "Unknown GRIP level '9'" in problem.errors[0].message
    assert problem.errors[0].fix


def test_every_bad_field_of_every_event_is_listed() -> None:
    """Two bad events, three problems: all are reported at once."""
    second = _incident(grip_level="9")
    second["data"].pop("title")
    problem = _problem([_incident(affected_people=-1), second])
    fields = sorted(e.field for e in problem.errors)
    assert fields == ["event[0].data.affected_people", "event[1].data.grip_level",
                      "event[1].data.title"]  # fmt: skip
    assert next(e for e in problem.errors if e.field.endswith("title")).fix == "add the field."


def test_a_single_document_is_named_event() -> None:
    """Without a batch the field is event.data...."""
    assert _problem(_incident(grip_level="9")).errors[0].field == "event.data.grip_level"


def test_another_organisations_source_is_403() -> None:
    """A key of vr07 cannot publish an event with source vr08."""
    problem = _problem({**_incident(), "source": "vr08"}, org="vr07")
    assert problem.status == 403
    assert problem.errors[0].field == "event.source"


def test_source_and_field_problems_together_are_422() -> None:
    """A batch with another problem besides the source is invalid content first."""
    problem = _problem([{**_incident(), "source": "vr08"}, _incident(grip_level="9")], "vr19")
    assert problem.status == 422
    assert {e.field for e in problem.errors} == {"event[0].source", "event[1].data.grip_level"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [([], "event"), ([1], "event[0]"), ({"type": "nl.kcr.nothing"}, "event.type")],
)
def test_malformed_documents(payload: Any, field: str) -> None:
    """Empty batches, non-objects and unknown types are named too."""
    assert _problem(payload).errors[0].field == field


def test_csv_row_errors_are_named_by_line() -> None:
    """Bad CSV rows become line[N].field errors, with the ids of the good rows."""
    text = (
        "resource_type,total,available,committed,valid_until,location,note\n"
        "pump,24,16,4,2030-11-27T18:00:00+01:00,,\n"
        "sandbag,100,120,0,2030-11-27T18:00:00+01:00,,\n"
    )
    imported = csv_import(text.encode(), "vr20")
    problem = csv_row_problem(imported, [imported.events[0].id])
    assert [e.field for e in problem.errors] == ["line[3].available"]
    assert problem.to_problem("/v1/capacity.csv").published == [imported.events[0].id]


def test_xml_that_is_not_cap_is_422_by_line() -> None:
    """A CAP body failing the XSD is refused with line and column."""
    with pytest.raises(BridgeProblem) as caught:
        cap_events(b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><x/></alert>', "vr19")
    assert caught.value.status == 422
    assert caught.value.errors[0].field.startswith("line[1]")


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1"])
def test_json_nested_too_deeply_is_422_naming_the_body(body: bytes) -> None:
    """Nesting that exhausts the parser's recursion is a 422 on ``body``, not a server error."""
    with pytest.raises(BridgeProblem) as caught:
        parse_json(body)
    assert (caught.value.status, caught.value.errors[0].field) == (422, "body")


def test_json_that_is_not_json_is_422_naming_the_body() -> None:
    """Undecodable bytes are a 422 on ``body``; valid JSON is returned as parsed."""
    with pytest.raises(BridgeProblem) as caught:
        parse_json(b"\xff{")
    assert caught.value.errors[0].field == "body"
    assert parse_json(b'[{"a": 1}]') == [{"a": 1}]
