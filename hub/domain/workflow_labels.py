"""Who may see a workflow output: the request behind it, and the answers it quotes.

A workflow output (a coordination request, an assistance outcome, an information question or
summary, an advice event) is derived from one request and, for outcomes and summaries, from
the answers to it (offers, answers, decisions). :func:`label_of_work` tells, for one output:

- ``limit``: whom the request lets the hub involve (:func:`~hub.domain.audience.request_limit`;
  None for an AMBER or wider request): the router delivers the output only within it;
- ``shared``: whether every reader of the workflow topics (``kcr.coordination``,
  ``kcr.advice``: the national centres) may see the request and every answer the output
  quotes, under AMBER; only then does the output go on that topic.

Computed when the workflows produce the output, before finished requests leave the state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from hub.contracts.events.envelope import EventEnvelope, Tlp
from hub.domain.audience import Audience, Visibility
from hub.domain.conditions import METRICS, Metric
from hub.domain.scenarios import Scenario
from hub.domain.state import HubState

__all__ = ["WorkLabel", "label_of_work", "scenario_audience"]


class WorkLabel(NamedTuple):
    """Whom a workflow output may reach (None: whom it names) and whether it is shared."""

    limit: frozenset[str] | None
    shared: bool


class _Quoted(NamedTuple):
    source: str
    tlp: str
    recipients: tuple[str, ...]


def label_of_work(state: HubState, visibility: Visibility, output: EventEnvelope) -> WorkLabel:
    """Return the :class:`WorkLabel` of ``output``, a workflow output of this tick."""
    request, quoted = _request_and_quotes(state, output)
    limit: frozenset[str] | None = None if request is None else request.limit
    readers = visibility.workflow_readers
    shared = (limit is None or readers <= limit) and all(
        visibility.shares(
            visibility.of_label(Tlp(q.tlp), q.recipients, (), q.source), readers, Tlp.AMBER
        )
        for q in quoted
    )
    return WorkLabel(limit, shared)


def _request_and_quotes(state: HubState, output: EventEnvelope) -> tuple[Any, Iterable[_Quoted]]:
    family, subject = output.family, output.subject
    if family == "coordination":
        rid = getattr(output.data, "assistance_request_id", None)
        return (None if rid is None else state.assistance.requests.get(rid)), ()
    if family == "assistance":
        request = state.assistance.requests.get(subject)
        offers = () if request is None else request.offers.values()
        return request, [_Quoted(o.offerer, o.tlp, o.recipients) for o in offers]
    if family == "information":
        info = state.information.requests.get(subject)
        answers = () if info is None or output.verb != "summarised" else info.answers.items()
        return info, [_Quoted(org, a.tlp, a.recipients) for org, a in answers]
    if family == "advice":
        advice = state.advice.requests.get(subject)
        decisions = () if advice is None else advice.decisions
        return advice, [_Quoted(d.sender, d.tlp, d.recipients) for d in decisions]
    return None, ()


def scenario_audience(
    visibility: Visibility, scenario: Scenario, metrics: Iterable[Metric]
) -> Audience:
    """Who may see what a scenario's indicators derive: its definition and its metrics' sources.

    The definition is seen by whom its label allows; a metric of a region (its highest GRIP,
    people affected) by those that region's view reaches, any other metric (national,
    per category, capacity, assistance) by those the national views reach.
    """
    audience = visibility.of_label(Tlp(scenario.tlp), scenario.recipients, (), scenario.defined_by)
    for metric in metrics:
        regional = metric.argument is not None and METRICS[metric.name].argument == "region"
        reach = (
            visibility.region_audience(metric.argument)  # type: ignore[arg-type]
            if regional
            else visibility.national_audience()
        )
        audience = audience.narrow(Audience(visibility.view_tlp, reach))
    return audience
