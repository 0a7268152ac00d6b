"""The condition language of scenario indicators: parsing, errors, evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.contracts.organisations import load_registry
from hub.contracts.reference import load_reference
from hub.domain.conditions import (
    METRICS,
    Comparison,
    ConditionError,
    Junction,
    Metric,
    Node,
    evaluate,
    metrics_of,
    parse_condition,
)
from hub.errors import HubError

PUMPS = Metric("capacity.available", "pump")


def _parse(text: str) -> Node:
    """Parse ``text`` against the packaged registry and reference data."""
    return parse_condition(text, load_registry(), load_reference())


def _values(**values: float) -> dict[Metric, float]:
    """Return metric values for evaluation, keyed like the examples below."""
    names = {
        "pumps": PUMPS,
        "floods": Metric("situation.regions_with", "flood"),
        "grip": Metric("situation.max_grip", "vr19"),
        "affected": Metric("situation.total_affected"),
    }
    return {names[key]: value for key, value in values.items()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("capacity.available[shelter_place] < 5000",
         Comparison(Metric("capacity.available", "shelter_place"), "<", 5000.0)),
        ("capacity.total[pump] >= 100", Comparison(Metric("capacity.total", "pump"), ">=", 100.0)),
        ("situation.regions_with[flood]>=3",
         Comparison(Metric("situation.regions_with", "flood"), ">=", 3.0)),
        ("situation.max_grip[vr19] >= 4",
         Comparison(Metric("situation.max_grip", "vr19"), ">=", 4)),
        ("situation.total_affected > 10000",
         Comparison(Metric("situation.total_affected"), ">", 10000.0)),
        ("situation.active_incidents != -1.5",
         Comparison(Metric("situation.active_incidents"), "!=", -1.5)),
    ],
)  # fmt: skip
def test_comparisons_parse(text: str, expected: Comparison) -> None:
    """Each metric of the vocabulary compares with a number, spaces optional."""
    assert _parse(text) == expected


def test_and_binds_tighter_than_or_and_parentheses_group() -> None:
    """'A or B and C' is 'A or (B and C)'; parentheses override."""
    a = "capacity.available[pump] < 5"
    b = "situation.regions_with[flood] >= 3"
    c = "situation.max_grip[vr19] >= 4"
    plain = _parse(f"{a} or {b} and {c}")
    assert isinstance(plain, Junction)
    assert plain.operator == "or"
    assert isinstance(plain.operands[1], Junction)
    grouped = _parse(f"({a} or {b}) and {c}")
    assert isinstance(grouped, Junction)
    assert grouped.operator == "and"
    assert len(_parse(f"{a} and {b} and {c}").operands) == 3  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("values", "holds"),
    [
        ({"pumps": 4, "floods": 0, "grip": 0}, True),
        ({"pumps": 9, "floods": 3, "grip": 4}, True),
        ({"pumps": 9, "floods": 3, "grip": 3}, False),
        ({"pumps": 5, "floods": 2, "grip": 6}, False),
    ],
)
def test_evaluation_follows_the_operators(values: dict[str, float], holds: bool) -> None:
    """The parsed condition holds exactly when its comparisons say so."""
    node = _parse(
        "capacity.available[pump] < 5 or "
        "(situation.regions_with[flood] >= 3 and situation.max_grip[vr19] >= 4)"
    )
    assert evaluate(node, _values(**values).__getitem__) is holds


def test_metrics_are_listed_once_in_written_order() -> None:
    """metrics_of gives each metric once, in the order it is written."""
    node = _parse(
        "capacity.available[pump] < 5 or situation.total_affected > 1 "
        "or capacity.available[pump] > 100"
    )
    assert metrics_of(node) == (PUMPS, Metric("situation.total_affected"))
    assert str(PUMPS) == "capacity.available[pump]"


@pytest.mark.parametrize(
    ("text", "position", "expected", "found"),
    [
        ("capacity.available[pump] <", 27, "a number after '<'", "the end of the condition"),
        ("capacity.available[pump] < many", 28, "a number after '<'", "'many'"),
        ("capacity.available[pmp] < 3", 20, "a resource type (pump, sandbag", "'pmp'"),
        ("capacity.available < 3", 20, "'[' and a resource type after capacity.available", "'<'"),
        ("capacity.pump.available < 20", 1, "a metric (capacity.available",
         "'capacity.pump.available'"),
        ("situation.total_affected[vr19] > 1", 25, "a comparison operator", "'['"),
        ("situation.max_grip[ncc] >= 4", 20, "a region (vr01", "'ncc'"),
        ("situation.total_affected = 1", 26, "a metric, number, operator or parenthesis", "'='"),
        ("situation.total_affected 1", 26, "a comparison operator", "'1'"),
        ("(situation.total_affected > 1", 30, "'and', 'or' or ')'", "the end of the condition"),
        ("situation.total_affected > 1)", 29, "'and', 'or' or the end", "')'"),
        ("situation.total_affected > 1 and", 33, "a metric", "the end of the condition"),
        ("situation.total_affected > 1 and or", 34, "a metric", "'or'"),
        ("count(incidents) > 2", 1, "a metric", "'count'"),
        ("", 1, "a metric", "the end of the condition"),
        ("situation.regions_with[flood] > 2 'x'", 35, "a metric, number", "\"'\""),
    ],
)  # fmt: skip
def test_errors_name_the_position_the_expected_and_the_found(
    text: str, position: int, expected: str, found: str
) -> None:
    """A bad condition raises ConditionError with the 1-based position, expected and found."""
    with pytest.raises(ConditionError) as info:
        _parse(text)
    error = info.value
    assert (error.position, error.found) == (position, found)
    assert expected in error.expected
    assert f"at position {position}: expected" in str(error)
    assert isinstance(error, HubError)
    assert isinstance(error, ValueError)


def test_nesting_is_bounded() -> None:
    """Deep nesting is an error at the first parenthesis too many, never a RecursionError."""
    text = "(" * 500 + "situation.total_affected > 1" + ")" * 500
    with pytest.raises(ConditionError, match="at most 32 nested parentheses"):
        _parse(text)


def test_every_metric_is_documented() -> None:
    """The vocabulary says what each metric measures and which argument it takes."""
    assert all(spec.meaning for spec in METRICS.values())
    assert {spec.argument for spec in METRICS.values()} == {
        None, "resource_type", "category", "region",
    }  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcgnoprstuvwxyz_.[]()<>=!0123456789 -", max_size=60))
def test_any_text_parses_or_raises_condition_error(text: str) -> None:
    """Whatever the text, the parser returns a condition or a ConditionError, nothing else."""
    position = 1
    try:
        _parse(text)
    except ConditionError as error:
        position = error.position
    assert 1 <= position <= len(text) + 1
