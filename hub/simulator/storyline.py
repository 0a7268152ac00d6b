"""The demo's national storyline as data: beats at moments, each a few partner events.

A storm and flood in Zeeland and Zuid-Holland rising to GRIP 4 with assistance requests for
pumps and shelter; a 112 outage that silences Zuid-Limburg; farmers' protests spreading over
several regions; ICU beds running short nationally; an evacuation advice requested, drafted
by the hub and validated by the LOCC. Pure: moments are seconds from the start of the story at
speed 1; :mod:`hub.simulator.player` scales and plays them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.contracts.events.envelope import EventEnvelope
from hub.domain import testing as build

__all__ = ["SILENT_REGION", "STORYLINE", "Beat", "baseline_capacity"]

SILENT_REGION = "vr24"
"""The region whose 112 outage makes it fall silent."""

SILENCE_STARTS, SILENCE_ENDS = 100.0, 330.0
"""Story seconds during which :data:`SILENT_REGION` sends nothing."""


@dataclass(frozen=True)
class Beat:
    """One moment of the story: what a newcomer reads, and the events partners publish."""

    at: float
    headline: str
    events: Callable[[datetime], list[EventEnvelope]]


_CAPACITY: dict[str, dict[str, int]] = {
    "pump": {"vr19": 6, "vr18": 8, "vr17": 30, "vr20": 20, "vr16": 12, "vr15": 10, "vr21": 9},
    "shelter_place": {"vr19": 1500, "vr18": 3000, "vr17": 8000, "vr20": 6000, "vr16": 4000},
    "bus": {"vr19": 40, "vr17": 200, "vr20": 120, "vr15": 150},
    "ambulance": {"vr19": 12, "vr17": 40, "vr20": 30, "vr18": 15},
    "police_unit": {"vr19": 10, "vr17": 40, "vr20": 25},
}
_ICU_TOTAL = 1150


def baseline_capacity(at: datetime) -> list[EventEnvelope]:
    """Every region's and the LCPS's usual capacity (re-sent now and then, so none goes stale)."""
    events: list[EventEnvelope] = [
        build.capacity_reported(kind, at, org, total=total, available=total)
        for kind, per_org in _CAPACITY.items()
        for org, total in per_org.items()
    ]
    events.append(build.capacity_reported("icu_bed", at, "lcps", total=_ICU_TOTAL, available=420))
    return events


def _flood(incident: str, region: str, grip: str, title: str) -> Callable[..., EventEnvelope]:
    def make(at: datetime) -> EventEnvelope:
        return build.incident_reported(
            incident, at, region, category="flood", grip_level=grip, title=title,
            severity="severe", affected_people=20000 if region == "vr19" else 8000,
        )  # fmt: skip

    return make


def _grip(incident: str, region: str, grip: str) -> Callable[[datetime], EventEnvelope]:
    def make(at: datetime) -> EventEnvelope:
        severity = "extreme" if grip in ("4", "5") else "severe"
        return build.incident_updated(incident, at, region, grip_level=grip, severity=severity)

    return make


def _protest(region: str) -> Callable[[datetime], EventEnvelope]:
    def make(at: datetime) -> EventEnvelope:
        return build.incident_reported(
            f"protest-{region}", at, region, category="public_order", grip_level="1",
            title="Farmers' protest: tractors block the motorway", severity="moderate",
        )  # fmt: skip

    return make


def _beat(at: float, headline: str, *makers: Callable[[datetime], EventEnvelope]) -> Beat:
    return Beat(at, headline, lambda now: [make(now) for make in makers])


def _pumps(at: datetime) -> list[EventEnvelope]:
    return [
        build.assistance_requested("req-pumps-zeeland", at, "vr19", resource_type="pump",
                                   quantity=40, incident_id="flood-zeeland",
                                   needed_by=at + timedelta(hours=6)),
        build.assistance_requested("req-shelter-zhz", at, "vr18", resource_type="shelter_place",
                                   quantity=2500, incident_id="flood-zhz",
                                   needed_by=at + timedelta(hours=8)),
    ]  # fmt: skip


def _offers(at: datetime) -> list[EventEnvelope]:
    return [
        build.assistance_offered("req-pumps-zeeland", at, source="vr17", quantity=25),
        build.assistance_offered("req-pumps-zeeland", at, source="vr20", quantity=15),
        build.assistance_offered(
            "req-shelter-zhz", at, source="vr17", quantity=2500, resource_type="shelter_place"
        ),
    ]


def _accepts(at: datetime) -> list[EventEnvelope]:
    return [
        build.assistance_accepted("req-pumps-zeeland", at, "vr19", offer_id="vr17-offer",
                                  quantity=25),
        build.assistance_accepted("req-pumps-zeeland", at, "vr19", offer_id="vr20-offer",
                                  quantity=15),
        build.assistance_accepted("req-shelter-zhz", at, "vr18", offer_id="vr17-offer",
                                  quantity=2500),
    ]  # fmt: skip


def _outage(at: datetime) -> list[EventEnvelope]:
    return [
        build.incident_reported(
            "outage-112", at, "ncc", category="telecom_outage", regions=[SILENT_REGION],
            grip_level="2", title="112 outage in Zuid-Limburg", severity="severe",
        )
    ]  # fmt: skip


def _icu(at: datetime) -> list[EventEnvelope]:
    return [build.capacity_reported("icu_bed", at, "lcps", total=_ICU_TOTAL, available=140)]


def _advice_requested(at: datetime) -> list[EventEnvelope]:
    return [
        build.advice_requested("adv-evacuate-zeeland", at, source="min-jenv", region="vr19",
                               parameters={"people": 12000})
    ]  # fmt: skip


def _advice_validated(at: datetime) -> list[EventEnvelope]:
    return [build.advice_validated("adv-evacuate-zeeland", at, source="locc")]


def _sitrep(at: datetime) -> list[EventEnvelope]:
    return [
        build.sitrep_published("sitrep-zeeland-1", at, "vr19", incident_id="flood-zeeland",
                               summary="Dike breach near Kruiningen; 12,000 to evacuate.")
    ]  # fmt: skip


def _restored(at: datetime) -> list[EventEnvelope]:
    return [
        build.incident_closed("outage-112", at, "ncc", reason="112 restored"),
        *(build.incident_closed(f"protest-{r}", at, r) for r in ("vr03", "vr05", "vr09")),
    ]


STORYLINE: tuple[Beat, ...] = (
    Beat(0, "Every region reports its capacity", baseline_capacity),
    _beat(15, "Storm over the south-west: flooding in Zeeland (GRIP 2)",
          _flood("flood-zeeland", "vr19", "2", "Storm surge floods Zeeland")),
    _beat(35, "Flooding in Zuid-Holland Zuid (GRIP 1)",
          _flood("flood-zhz", "vr18", "1", "Rivers burst their banks")),
    _beat(55, "Zeeland scales up to GRIP 3", _grip("flood-zeeland", "vr19", "3")),
    Beat(65, "Zeeland asks for 40 pumps, Zuid-Holland Zuid for 2,500 shelter places", _pumps),
    Beat(95, "Rotterdam-Rijnmond and Midden- en West-Brabant offer help", _offers),
    Beat(100, "112 outage: Zuid-Limburg falls silent", _outage),
    _beat(120, "Farmers' protests in Drenthe and Twente", _protest("vr03"), _protest("vr05")),
    Beat(125, "The requesters accept the offers", _accepts),
    _beat(140, "Zeeland scales up to GRIP 4; Zuid-Holland Zuid to GRIP 3",
          _grip("flood-zeeland", "vr19", "4"), _grip("flood-zhz", "vr18", "3")),
    _beat(150, "The protests spread to Utrecht", _protest("vr09")),
    Beat(170, "ICU beds run short nationally (140 of 1,150 free)", _icu),
    Beat(190, "The ministry asks whether evacuating 12,000 people is feasible", _advice_requested),
    Beat(205, "Zeeland publishes a situation report", _sitrep),
    Beat(225, "The LOCC validates the evacuation advice", _advice_validated),
    Beat(SILENCE_ENDS, "112 restored in Zuid-Limburg; the protests end", _restored),
)  # fmt: skip
"""The story, in order of its moments."""
