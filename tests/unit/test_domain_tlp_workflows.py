"""TLP of the workflows: a RED or AMBER_STRICT request involves only whom it names.

An AMBER request lets the hub involve whom its workflow picks (neighbours with capacity, the
addressees, the validators) and its outputs go on the coordination and advice topics the
national centres read. A RED request limits that to its named recipients and the requester:
candidates, addressees and validators outside it are never involved, and its outputs stay off
the shared topics unless every reader is named.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.contracts.outputs import AdviceDrafted, EscalationEvent
from hub.domain import TickOutputs
from hub.domain.audience import request_limit
from hub.domain.testing import (
    advice_requested,
    assistance_offered,
    assistance_requested,
    capacity_reported,
    information_provided,
    information_requested,
    minutes,
    quiet_hub,
)

_hub = quiet_hub


def _workflow_boxes(outputs: TickOutputs) -> dict[str, list[EventEnvelope]]:
    """Per organisation, the workflow events (not views or signals) its outbox receives."""
    boxes: dict[str, list[EventEnvelope]] = {}
    for org, items in outputs.outboxes().items():
        events = [i for i in items if isinstance(i, EventEnvelope) and i.family in _WORKFLOWS]
        if events:
            boxes[org] = events
    return boxes


_WORKFLOWS = {"coordination", "assistance", "information", "advice"}


def _pumps(source: str) -> EventEnvelope:
    return capacity_reported("pump", minutes(0), source=source, total=20, available=15)


def test_the_limit_of_a_request_follows_its_label() -> None:
    """AMBER and wider: no limit; AMBER_STRICT: named and regions; RED: named; requester always."""
    assert request_limit(Tlp.AMBER, ("ncc",), ("vr19",), "vr19") is None
    assert request_limit(Tlp.GREEN, (), (), "vr19") is None
    strict = request_limit(Tlp.AMBER_STRICT, ("vr17",), ("vr18",), "vr19")
    assert strict == frozenset({"vr17", "vr18", "vr19"})
    assert request_limit(Tlp.RED, ("locc",), ("vr18",), "vr19") == frozenset({"locc", "vr19"})


def test_an_amber_assistance_request_asks_the_neighbours_on_the_shared_topic() -> None:
    """The workflow picks the neighbours; the requests go on kcr.coordination too."""
    hub = _hub(
        _pumps("vr17"), _pumps("vr20"), assistance_requested("req-1", minutes(1), quantity=30)
    )
    outputs = hub.tick(minutes(2), 0)
    assert sorted(c.recipients[0] for c in outputs.coordination) == ["vr17", "vr20"]


def test_a_red_assistance_request_asks_only_whom_it_names_and_stays_off_the_topic() -> None:
    """RED to [locc, vr20]: vr17 (a nearer neighbour with pumps) is never asked."""
    request = assistance_requested(
        "req-1", minutes(1), quantity=30, tlp="RED", recipients=["locc", "vr20"]
    )
    hub = _hub(_pumps("vr17"), _pumps("vr20"), request)
    outputs = hub.tick(minutes(2), 0)
    assert outputs.coordination == []  # ncc may not see it: not on the shared topic
    boxes = _workflow_boxes(outputs)
    assert set(boxes) == {"vr20"}
    assert [e.type for e in boxes["vr20"]] == ["nl.kcr.coordination.requested"]


def test_a_red_information_request_must_name_its_addressees() -> None:
    """The contract refuses a RED question to an addressee it does not name, naming the field."""
    with pytest.raises(ValidationError, match=r"data\.addressees vr17 are not in recipients"):
        information_requested(
            "q-1", minutes(0), "ncc", addressees=["vr17", "vr18"], tlp="RED",
            recipients=["vr18"],
        )  # fmt: skip
    information_requested(
        "q-1", minutes(0), "ncc", addressees=["vr18"], tlp="RED", recipients=["vr18"]
    )


def test_a_red_information_request_stays_off_the_shared_topic() -> None:
    """RED from ncc to vr18: forwarded to vr18, not to locc, not on kcr.coordination."""
    request = information_requested(
        "q-1", minutes(0), "ncc", addressees=["vr18"], tlp="RED", recipients=["vr18"]
    )
    outputs = _hub(request).tick(minutes(1), 0)
    assert outputs.information == []
    assert set(_workflow_boxes(outputs)) <= {"vr18", "ncc"}  # the addressee, the requester
    assert "vr18" in _workflow_boxes(outputs)


def test_a_red_advice_request_naming_no_validator_is_drafted_for_its_requester_only() -> None:
    """The validators (national centres) may not see it: the draft goes back to vr19 alone."""
    request = advice_requested("adv-1", minutes(0), tlp="RED", recipients=["vr18"])
    outputs = _hub(request).tick(minutes(1), 0)
    boxes = _workflow_boxes(outputs)
    drafts = [o for items in boxes.values() for o in items if isinstance(o, AdviceDrafted)]
    assert drafts
    assert {d.recipients for d in drafts} == {("vr19",)}
    assert set(boxes) <= {"vr19", "vr18"}
    assert outputs.advice == []


def test_a_red_advice_request_naming_a_validator_is_drafted_for_it() -> None:
    """RED to [ncc]: the draft goes to ncc, not to locc."""
    request = advice_requested("adv-1", minutes(0), tlp="RED", recipients=["ncc"])
    outputs = _hub(request).tick(minutes(1), 0)
    boxes = _workflow_boxes(outputs)
    drafts = [o for items in boxes.values() for o in items if isinstance(o, AdviceDrafted)]
    assert {d.recipients for d in drafts} == {("ncc",)}
    assert "locc" not in boxes


def test_an_overdue_red_request_signals_only_to_whom_it_names() -> None:
    """The overdue signal of a RED request to [vr20] is RED to vr19 and vr20, not the LOCC."""
    request = assistance_requested("req-1", minutes(1), quantity=30, tlp="RED", recipients=["vr20"])
    hub = _hub(request)
    hub.tick(minutes(2), 0)
    outputs = hub.tick(minutes(24 * 60), 1)
    overdue = [
        s
        for items in outputs.outboxes().values()
        for s in items
        if isinstance(s, EscalationEvent) and s.data.rule == "assistance_overdue"
    ]
    assert overdue
    assert {(s.tlp, s.recipients) for s in overdue} == {(Tlp.RED, ("vr19", "vr20"))}
    assert {org for org, items in outputs.outboxes().items() if any(
        s in overdue for s in items)} == {"vr19", "vr20"}  # fmt: skip
    assert outputs.signals == []  # the national centres read the signal topic


def test_a_red_answer_that_does_not_name_the_requester_answers_nobody() -> None:
    """vr18 answers ncc's question RED to [locc]: not quoted to ncc; vr18 stays outstanding."""
    hub = _hub(
        information_requested("q-1", minutes(0), "ncc", addressees=["vr18", "vr17"]),
        information_provided(
            "q-1", minutes(1), "vr18", answer="SECRET-ANSWER", tlp="RED", recipients=["locc"]
        ),
        information_provided("q-1", minutes(1), "vr17", answer="open answer"),
    )
    outputs = hub.tick(minutes(2), 0)
    text = " ".join(o.model_dump_json() for o in _workflow_boxes(outputs).get("ncc", []))
    assert "SECRET-ANSWER" not in text
    assert "open answer" in text
    assert hub.state.information.requests["q-1"].outstanding() == ("vr18",)


def test_a_red_offer_that_does_not_name_the_requester_offers_nothing() -> None:
    """An offer RED to [locc] is not counted for vr19, who may not see it; one naming vr19 is."""
    hub = _hub(
        assistance_requested("req-1", minutes(1), quantity=30),
        assistance_offered("req-1", minutes(2), "vr17", tlp="RED", recipients=["locc"]),
        assistance_offered("req-1", minutes(2), "vr20", tlp="RED", recipients=["vr19"]),
    )
    request = hub.state.assistance.requests["req-1"]
    assert [o.offerer for o in request.offers.values()] == ["vr20"]
