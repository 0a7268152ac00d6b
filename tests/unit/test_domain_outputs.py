"""The output contracts: escalation events and view records, frozen and Avro-generatable."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import fastavro
import pytest
from pydantic import BaseModel, ValidationError

from hub.contracts.avro_schema import avro_schema_for, from_avro_record, to_avro_record
from hub.contracts.events.catalogue import EVENT_TYPES
from hub.contracts.events.envelope import Tlp
from hub.contracts.outputs import (
    OUTPUT_TYPES,
    VIEW_MODELS,
    CoordinationRequested,
    CoordinationRequestedData,
    EscalationData,
    EscalationRaised,
    EscalationResolved,
    EscalationUpdated,
    IncidentView,
    NationalSituationView,
    OrgCapacity,
    RegionView,
    ResourceCapacityView,
    SignalSeverity,
    SitrepDigest,
    View,
    bounded_id,
    output_event_id,
    output_namespace,
    signal_event_id,
    stricter,
    view_model_for,
)
from hub.contracts.outputs.views import (
    CategoryIncidents,
    GripRegions,
    IndicatorView,
    ObservedMetric,
    ScenarioView,
)

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def _data(**changes: Any) -> EscalationData:
    """Return a grip-high signal payload with ``changes``."""
    fields: dict[str, Any] = {
        "signal_id": "grip-high/inc-vr19-0412",
        "rule": "grip_high",
        "severity": "critical",
        "title": "GRIP 4 in Zeeland: Dijkdoorbraak Kruiningen",
        "details": "At GRIP 4.",
        "regions": ["vr19"],
        "evidence": ["ev-1"],
        "since": NOW,
        "observed_at": NOW,
    }
    return EscalationData.model_validate({**fields, **changes})


def _raised() -> EscalationRaised:
    """Return a raised signal."""
    sid = "grip-high/inc-vr19-0412"
    return EscalationRaised(
        id=signal_event_id(sid, "raised", 3), subject=sid, time=NOW, data=_data()
    )


def _views() -> list[View]:
    """Return one instance of every view model."""
    common: dict[str, Any] = {"as_of": NOW, "tick": 3}
    sitrep = SitrepDigest(sitrep_id="s1", summary="Dike holds", published_at=NOW, source="vr19")
    return [
        IncidentView(
            incident_id="inc-1", category="flood", title="Dijkdoorbraak", status="closed",
            grip_level="4", severity="severe", regions=("vr19",), affected_people=10,
            reported_by="vr19", started_at=NOW, updated_at=NOW, closed_at=NOW,
            last_sitrep=sitrep, **common,
        ),
        RegionView(
            region_id="vr19", name="Zeeland", active_incidents=("inc-1",), highest_grip="4",
            categories=("flood",), affected_people=10, silent=False, last_seen=NOW, **common,
        ),
        NationalSituationView(
            regions_by_grip=(GripRegions(grip_level="4", regions=("vr19",)),),
            incidents_by_category=(CategoryIncidents(category="flood", incidents=("inc-1",)),),
            total_affected=10, active_incidents=1, **common,
        ),
        ResourceCapacityView(
            resource_type="pump", unit="piece", total=10, available=2, committed=3,
            per_organisation=(
                OrgCapacity(org_id="vr19", total=10, available=2, committed=3, reported_at=NOW,
                            valid_until=NOW, stale=False),
            ),
            stale_orgs=(), **common,
        ),
        ScenarioView(
            scenario_id="scn-1", name="Stormvloed", status="active", defined_by="ncc",
            indicators=(
                IndicatorView(
                    indicator_id="pumps-short", description="Few pumps",
                    condition="capacity.available[pump] < 20", tripped=True, since=NOW,
                    observed=(ObservedMetric(metric="capacity.available[pump]", value=12.0),),
                ),
            ),
            **common,
        ),
    ]  # fmt: skip


def _avro_round_trip(instance: BaseModel) -> BaseModel:
    """Write ``instance`` with its generated schema by fastavro and read it back."""
    model = type(instance)
    schema = fastavro.parse_schema(avro_schema_for(model, namespace=output_namespace(model)))
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema, to_avro_record(instance))
    buffer.seek(0)
    record = fastavro.schemaless_reader(buffer, schema, None)
    assert isinstance(record, dict)
    return from_avro_record(model, record)


def test_output_types_are_the_hub_outputs() -> None:
    """OUTPUT_TYPES maps the hub's output types to their classes, none of them a log type."""
    assert sorted(OUTPUT_TYPES) == [
        "nl.kcr.advice.drafted",
        "nl.kcr.advice.published",
        "nl.kcr.advice.rejection_noted",
        "nl.kcr.advice.validation_refused",
        "nl.kcr.assistance.expired",
        "nl.kcr.assistance.fulfilled",
        "nl.kcr.coordination.requested",
        "nl.kcr.escalation.raised",
        "nl.kcr.escalation.resolved",
        "nl.kcr.escalation.updated",
        "nl.kcr.information.forwarded",
        "nl.kcr.information.reminded",
        "nl.kcr.information.summarised",
        "nl.kcr.ingress.rejected",
    ]
    assert OUTPUT_TYPES["nl.kcr.escalation.raised"] is EscalationRaised
    assert all(model.declared_type() == name for name, model in OUTPUT_TYPES.items())
    assert not set(OUTPUT_TYPES) & set(EVENT_TYPES)


@pytest.mark.parametrize("model", list(OUTPUT_TYPES.values()), ids=lambda m: m.__name__)
def test_every_output_event_has_a_valid_avro_schema(model: type[BaseModel]) -> None:
    """Fastavro accepts the schema of every output event, in namespace nl.kcr.<family>."""
    schema = avro_schema_for(model, namespace=output_namespace(model))
    fastavro.parse_schema(schema)
    assert schema["namespace"] == f"nl.kcr.{model.model_fields['type'].default.split('.')[2]}"


@pytest.mark.parametrize(
    "model", [model for _, model in VIEW_MODELS.values()], ids=lambda m: m.__name__
)
def test_every_view_model_has_a_valid_avro_schema(model: type[BaseModel]) -> None:
    """Fastavro accepts the schema of every view record, in namespace nl.kcr.view."""
    schema = avro_schema_for(model, namespace=output_namespace(model))
    fastavro.parse_schema(schema)
    assert schema["namespace"] == "nl.kcr.view"


def test_workflow_outputs_default_to_hub_and_amber_strict() -> None:
    """A workflow output is the hub's, directed (AMBER_STRICT) unless told otherwise."""
    event = CoordinationRequested(
        id="co-1:requested:3", subject="co-1", time=NOW, recipients=("vr17",),
        data=CoordinationRequestedData(
            request_id="co-1", kind="assistance", what="pump", quantity=5, total_quantity=40,
            for_org="vr19", respond_by=NOW,
        ),
    )  # fmt: skip
    assert (event.source, event.tlp, event.recipients) == ("hub", Tlp.AMBER_STRICT, ("vr17",))
    assert _avro_round_trip(event) == event


def test_output_ids_stay_within_the_contract() -> None:
    """Derived ids longer than 200 characters are cut with a hash, stable and distinct."""
    long_id = "r" * 200
    assert output_event_id("co-1", "requested", 3) == "co-1:requested:3"
    first, second = bounded_id(f"{long_id}/vr17"), bounded_id(f"{long_id}/vr20")
    assert len(first) == 200
    assert first == bounded_id(f"{long_id}/vr17")
    assert first != second
    assert stricter(Tlp.GREEN, Tlp.AMBER_STRICT) is Tlp.AMBER_STRICT
    assert stricter(Tlp.RED, Tlp.AMBER_STRICT) is Tlp.RED


def test_signal_defaults_to_hub_and_amber_without_recipients() -> None:
    """A signal is from 'hub', TLP AMBER, addressed to nobody in particular."""
    raised = _raised()
    assert (raised.source, raised.tlp, raised.recipients) == ("hub", Tlp.AMBER, ())
    assert raised.id == "grip-high/inc-vr19-0412:raised:3"


def test_signal_subject_must_be_its_signal_id() -> None:
    """The subject of a signal event is its signal id."""
    with pytest.raises(ValidationError, match="subject"):
        EscalationRaised(id="x", subject="grip-high/other", time=NOW, data=_data())


@pytest.mark.parametrize(
    ("field", "value"),
    [("signal_id", "no-slash"), ("rule", "Grip High"), ("severity", "urgent"),
     ("regions", ["ncc"]), ("title", "")],
)  # fmt: skip
def test_signal_payload_is_validated(field: str, value: object) -> None:
    """Signal ids are rule/key, rules are codes, severities and regions are known values."""
    with pytest.raises(ValidationError):
        _data(**{field: value})


def test_signal_severities_are_info_warning_critical() -> None:
    """The three severities, in rising order."""
    assert [s.value for s in SignalSeverity] == ["info", "warning", "critical"]


@pytest.mark.parametrize("model", [EscalationRaised, EscalationUpdated, EscalationResolved])
def test_signal_schemas_are_generated_in_the_escalation_namespace(model: type[BaseModel]) -> None:
    """Each escalation event has an Avro schema fastavro accepts."""
    schema = avro_schema_for(model, namespace=output_namespace(model))
    fastavro.parse_schema(schema)
    assert schema["namespace"] == "nl.kcr.escalation"


def test_signal_survives_avro() -> None:
    """A raised signal reads back from Avro equal to itself."""
    assert _avro_round_trip(_raised()) == _raised()


@pytest.mark.parametrize("view", _views(), ids=lambda v: type(v).__name__)
def test_view_survives_avro(view: View) -> None:
    """Every view record reads back from Avro equal to itself."""
    assert _avro_round_trip(view) == view


def test_view_keys_follow_the_conventions() -> None:
    """incident/<id>, region/<vr..>, national, resource/<type> and scenario/<id>."""
    keys = [view.key for view in _views()]
    assert keys == ["incident/inc-1", "region/vr19", "national", "resource/pump", "scenario/scn-1"]
    assert [view_model_for(key) for key in keys] == [
        VIEW_MODELS["incident"], VIEW_MODELS["region"], VIEW_MODELS["national"],
        VIEW_MODELS["resource"], VIEW_MODELS["scenario"],
    ]  # fmt: skip


def test_view_model_for_names_the_prefixes_of_an_unknown_key() -> None:
    """An unknown key prefix is an error listing the known prefixes."""
    with pytest.raises(KeyError, match="incident, region, national, resource, scenario"):
        view_model_for("weather/x")


def test_views_are_frozen() -> None:
    """View records cannot be changed after they are made."""
    view = _views()[1]
    with pytest.raises(ValidationError):
        view.silent = True  # type: ignore[attr-defined]
