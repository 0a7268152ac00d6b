"""The monitoring language of scenario indicators: a small, safe condition parser.

A condition compares metrics of the hub's state with numbers, joined by ``and`` / ``or``
(``and`` binds tighter) and grouped with parentheses::

    capacity.available[shelter_place] < 5000
    situation.regions_with[flood] >= 3 and (
        situation.max_grip[vr19] >= 4 or capacity.total[pump] < 100)

Grammar (EBNF; ``number`` is ``-?digits[.digits]``)::

    condition   = disjunction END
    disjunction = conjunction { "or" conjunction }
    conjunction = term { "and" term }
    term        = "(" disjunction ")" | comparison
    comparison  = metric ( "<" | "<=" | ">" | ">=" | "==" | "!=" ) number
    metric      = name [ "[" argument "]" ]

The metrics are a fixed vocabulary (:data:`METRICS`); arguments are checked against the
reference data and the organisation registry given to :func:`parse_condition` (the
projection's). Nothing is ever evaluated as Python: the text is
tokenised and parsed by hand, and a bad condition raises :class:`ConditionError` naming the
position (1-based), what was expected and what was found.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

from hub.contracts.organisations import OrganisationRegistry
from hub.contracts.reference import ReferenceData
from hub.errors import HubError

__all__ = [
    "METRICS",
    "Comparison",
    "ConditionError",
    "Junction",
    "Metric",
    "MetricSpec",
    "Node",
    "evaluate",
    "metrics_of",
    "parse_condition",
]

ArgumentKind = Literal["resource_type", "category", "region"]


class MetricSpec(NamedTuple):
    """One metric of the vocabulary: the argument it takes (if any) and what it measures."""

    argument: ArgumentKind | None
    meaning: str


METRICS: dict[str, MetricSpec] = {
    "capacity.available": MetricSpec(
        "resource_type", "units available nationally, non-stale reports"
    ),
    "capacity.total": MetricSpec("resource_type", "units in total nationally, non-stale reports"),
    "capacity.committed": MetricSpec(
        "resource_type", "units committed nationally, accepted assistance included"
    ),
    "assistance.outstanding": MetricSpec(
        "resource_type", "units open assistance requests still need"
    ),
    "situation.regions_with": MetricSpec(
        "category", "regions with an active incident of the category"
    ),
    "situation.incidents_with": MetricSpec("category", "active incidents of the category"),
    "situation.max_grip": MetricSpec(
        "region", "rank of the highest GRIP level of the region's active incidents (0: none)"
    ),
    "situation.affected": MetricSpec("region", "people affected by the region's active incidents"),
    "situation.total_affected": MetricSpec(None, "people affected by all active incidents"),
    "situation.active_incidents": MetricSpec(None, "number of active incidents"),
}
"""The vocabulary of conditions: metric name → argument kind and meaning."""

_MAX_DEPTH = 32
_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<op><=|>=|==|!=|<|>)|(?P<punct>[()\[\]])"
)
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_KEYWORDS = ("and", "or")


class ConditionError(HubError, ValueError):
    """A condition does not follow the grammar or names an unknown metric or argument."""

    def __init__(self, text: str, position: int, expected: str, found: str) -> None:
        """Name the 1-based ``position`` in ``text``, what was ``expected`` and ``found``."""
        self.text = text
        self.position = position
        self.expected = expected
        self.found = found
        super().__init__(
            f"Bad condition at position {position}: expected {expected}, found {found}.",
            fix="write the condition as described in hub/domain/conditions.py.",
        )


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric as written in a condition, e.g. ``capacity.available[pump]``."""

    name: str
    argument: str | None = None

    def __str__(self) -> str:
        """Return the metric as written, e.g. ``capacity.available[pump]``."""
        return self.name if self.argument is None else f"{self.name}[{self.argument}]"


@dataclass(frozen=True, slots=True)
class Comparison:
    """``metric operator number``."""

    metric: Metric
    operator: str
    value: float


@dataclass(frozen=True, slots=True)
class Junction:
    """Operands joined by ``and`` or ``or``."""

    operator: Literal["and", "or"]
    operands: tuple[Node, ...]


Node = Comparison | Junction
"""A parsed condition."""


class _Token(NamedTuple):
    kind: str
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ConditionError(
                text,
                position + 1,
                "a metric, number, operator or parenthesis",
                repr(text[position]),
            )
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _allowed_arguments(
    kind: ArgumentKind, organisations: OrganisationRegistry, reference: ReferenceData
) -> tuple[str, ...]:
    if kind == "resource_type":
        return reference.resource_codes()
    if kind == "category":
        return reference.category_codes()
    return organisations.region_ids()


class _Parser:
    """Recursive descent over the tokens of one condition."""

    def __init__(
        self, text: str, organisations: OrganisationRegistry, reference: ReferenceData
    ) -> None:
        self.text = text
        self.organisations, self.reference = organisations, reference
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0

    def _peek(self) -> _Token:
        return self.tokens[self.index]

    def _next(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _fail(self, expected: str, token: _Token | None = None) -> ConditionError:
        token = token or self._peek()
        found = "the end of the condition" if token.kind == "end" else repr(token.text)
        return ConditionError(self.text, token.position + 1, expected, found)

    def _is(self, text: str) -> bool:
        token = self._peek()
        return token.kind in ("name", "punct") and token.text == text

    def condition(self) -> Node:
        node = self._disjunction()
        if self._peek().kind != "end":
            raise self._fail("'and', 'or' or the end of the condition")
        return node

    def _disjunction(self) -> Node:
        return self._junction("or", self._conjunction)

    def _conjunction(self) -> Node:
        return self._junction("and", self._term)

    def _junction(self, word: Literal["and", "or"], operand: Callable[[], Node]) -> Node:
        operands = [operand()]
        while self._is(word):
            self._next()
            operands.append(operand())
        return operands[0] if len(operands) == 1 else Junction(word, tuple(operands))

    def _term(self) -> Node:
        if not self._is("("):
            return self._comparison()
        opening = self._next()
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self._fail(f"at most {_MAX_DEPTH} nested parentheses", opening)
        node = self._disjunction()
        if not self._is(")"):
            raise self._fail("'and', 'or' or ')'")
        self._next()
        self.depth -= 1
        return node

    def _comparison(self) -> Comparison:
        metric = self._metric()
        token = self._next()
        if token.kind != "op":
            raise self._fail("a comparison operator (<, <=, >, >=, ==, !=)", token)
        number = self._next()
        if number.kind != "number":
            raise self._fail(f"a number after {token.text!r}", number)
        return Comparison(metric, token.text, float(number.text))

    def _metric(self) -> Metric:
        token = self._next()
        if token.kind != "name" or token.text in _KEYWORDS or token.text not in METRICS:
            names = ", ".join(METRICS)
            raise self._fail(f"a metric ({names}) or '('", token)
        spec = METRICS[token.text]
        if spec.argument is None:
            if self._is("["):
                raise self._fail(f"a comparison operator ({token.text} takes no argument)")
            return Metric(token.text)
        return Metric(token.text, self._argument(token.text, spec.argument))

    def _argument(self, name: str, kind: ArgumentKind) -> str:
        if not self._is("["):
            raise self._fail(f"'[' and a {kind.replace('_', ' ')} after {name}")
        self._next()
        token = self._next()
        allowed = _allowed_arguments(kind, self.organisations, self.reference)
        if token.text not in allowed or token.kind not in ("name", "number"):
            raise self._fail(f"a {kind.replace('_', ' ')} ({', '.join(allowed)})", token)
        if not self._is("]"):
            raise self._fail("']'")
        self._next()
        return token.text


def parse_condition(
    text: str, organisations: OrganisationRegistry, reference: ReferenceData
) -> Node:
    """Parse ``text`` into a condition; raise :class:`ConditionError` if it is not one.

    Arguments are checked against ``reference`` (resource types, categories) and
    ``organisations`` (regions).
    """
    return _Parser(text, organisations, reference).condition()


def evaluate(node: Node, measure: Callable[[Metric], float]) -> bool:
    """Return whether the condition holds, reading each metric's value from ``measure``."""
    if isinstance(node, Comparison):
        return _OPERATORS[node.operator](measure(node.metric), node.value)
    combine = all if node.operator == "and" else any
    return combine(evaluate(operand, measure) for operand in node.operands)


def _walk(node: Node) -> Iterator[Metric]:
    if isinstance(node, Comparison):
        yield node.metric
    else:
        for operand in node.operands:
            yield from _walk(operand)


def metrics_of(node: Node) -> tuple[Metric, ...]:
    """Return the metrics of a condition, each once, in the order they are written."""
    return tuple(dict.fromkeys(_walk(node)))
