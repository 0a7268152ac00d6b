"""Field types shared by the event models: ids, texts, counts, times, codes and places.

Each type is an ``Annotated`` alias, so pydantic validates it and the Avro generator sees the
plain Python type underneath. Codes from the reference data and organisation ids are plain
strings in the schemas; their validators name the allowed values when a value is unknown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Self

from annotated_types import Ge, Gt, Le
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hub.contracts.errors import UnknownOrganisation, UnknownReferenceCode
from hub.contracts.geo import GeoCircle, GeoPoint, GeoPolygon
from hub.contracts.organisations import ALL_REGIONS, load_registry
from hub.contracts.reference import load_reference
from hub.contracts.xsdtime import DateTimeRefused, parse_xs_datetime

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_COUNT",
    "MAX_POLYGONS",
    "Addressee",
    "CategoryCode",
    "Count",
    "GripCode",
    "Identifier",
    "Location",
    "OrgId",
    "PositiveCount",
    "RegionId",
    "RequiredText",
    "ResourceCode",
    "ShortText",
    "Text",
    "Url",
    "UtcDatetime",
    "check_addressee",
    "check_category",
    "check_grip_level",
    "check_org_id",
    "check_region_id",
    "check_resource_type",
    "check_unique",
    "read_xs_datetime",
    "refuse_control_characters",
    "to_utc",
]

MAX_COUNT = 2**53 - 1
"""Largest count accepted: the largest integer that JSON consumers represent exactly."""

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""The earliest time an event may carry (inclusive)."""
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
"""The end of the times an event may carry (exclusive): deadlines computed from them fit."""
_ONE_SECOND = timedelta(seconds=1)

CONTROL_CHARACTER = "control_character"
"""The pydantic error type of a control character in an id, subject or source."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def refuse_control_characters(value: object) -> object:
    """Return ``value``; raise a ``control_character`` error if it is text holding NUL, C0 or DEL.

    Ids, subjects and sources end up in Kafka keys, headers, logs and partners' databases, where
    a NUL or an escape sequence truncates, splits or forges what is shown. The error (a
    :class:`pydantic_core.PydanticCustomError`, so pydantic names the field) says which
    character, where, and the fix.
    """
    if isinstance(value, str):
        found = _CONTROL.search(value)
        if found is not None:
            raise PydanticCustomError(
                CONTROL_CHARACTER,
                "contains the control character U+{code} at position {position}; ids, "
                "subjects and sources must be printable: remove every character in "
                "U+0000..U+001F and U+007F",
                {"code": f"{ord(found.group()):04X}", "position": found.start()},
            )
    return value


def to_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; reject a naive datetime, whose instant is unknown.

    A time the hub holds lies in :data:`EARLIEST` .. :data:`LATEST` (years 1900..2999): the
    domain adds deadlines and grace periods to event times, and a time near year 9999 would
    overflow there and stop the processors on every restart (a poison event). Outside that
    window, and for a datetime whose UTC instant falls outside years 1..9999
    (``0001-01-01T00:00:00+01:00``), ``ValueError`` is raised (not ``OverflowError``, which
    pydantic would not turn into a validation error).
    """
    if value.tzinfo is not UTC:  # a datetime read from the log is UTC already: no new object
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"datetime {value.isoformat()} has no timezone; "
                "give an RFC 3339 time with an offset, e.g. 2026-11-27T10:00:00Z"
            )
        try:
            value = value.astimezone(UTC)
        except OverflowError:
            value = EARLIEST - _ONE_SECOND if value.year < 2000 else LATEST
    if not EARLIEST <= value < LATEST:
        raise ValueError(
            f"datetime {value.isoformat()} lies outside the years 1900..2999 (UTC) that the "
            "hub holds; give a time within them"
        )
    return value


def read_xs_datetime(value: object, info: ValidationInfo) -> object:
    """Read a text time in the xs:dateTime grammar with the hub's one parser; pass others on.

    Text that matches :data:`~hub.contracts.xsdtime.XS_DATETIME` (RFC 3339 times do; RFC
    3339's lowercase ``t`` and ``z`` are read as ``T`` and ``Z``) goes through
    :func:`~hub.contracts.xsdtime.parse_xs_datetime`, so ``24:00:00``, leap seconds and the
    edge years mean the same here as in CAP and EDXL, and a refusal names the field. Other
    ISO 8601 forms pydantic reads (``2026-11-27T10:00Z``), datetimes (from Avro or code) and
    numbers are left to pydantic as before; :func:`to_utc` then keeps them from overflowing.
    """
    if not isinstance(value, str):
        return value
    try:  # the only letters of the grammar are T and Z
        return parse_xs_datetime(value.upper(), info.field_name or "time")
    except DateTimeRefused as refused:
        if refused.reason == "malformed":  # not the grammar: pydantic's own ISO 8601 reading
            return value
        raise


def check_org_id(value: str) -> str:
    """Return ``value`` if it is a known organisation id, else raise ``ValueError``."""
    try:
        load_registry().get(value)
    except UnknownOrganisation as exc:
        raise ValueError(exc.message) from None
    return value


def check_region_id(value: str) -> str:
    """Return ``value`` if it is a safety region id (vr01..vr25), else raise ``ValueError``."""
    registry = load_registry()
    if not registry.is_region(value):
        allowed = ", ".join(registry.region_ids())
        raise ValueError(f"{value!r} is not a safety region; allowed: {allowed}")
    return value


def check_addressee(value: str) -> str:
    """Return ``value`` if it is an organisation id or the group ``all-regions``."""
    if value == ALL_REGIONS:
        return value
    registry = load_registry()
    if value not in registry:
        allowed = ", ".join((ALL_REGIONS, *registry.ids()))
        raise ValueError(f"unknown addressee {value!r}; allowed: {allowed}")
    return value


def _check_code(table: str, code: str, allowed: tuple[str, ...]) -> str:
    if code not in allowed:
        raise ValueError(UnknownReferenceCode(table, code, allowed).message)
    return code


def check_grip_level(value: str) -> str:
    """Return ``value`` if it is a GRIP level code, else raise ``ValueError`` naming them."""
    return _check_code("GRIP level", value, load_reference().grip_codes())


def check_resource_type(value: str) -> str:
    """Return ``value`` if it is a resource type code, else raise ``ValueError`` naming them."""
    return _check_code("resource type", value, load_reference().resource_codes())


def check_category(value: str) -> str:
    """Return ``value`` if it is an incident category, else raise ``ValueError`` naming them."""
    return _check_code("incident category", value, load_reference().category_codes())


def _int_to_code(value: object) -> object:
    """Accept GRIP levels written as numbers (``2``) as well as strings (``"2"``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def check_unique(values: Iterable[Hashable], what: str) -> None:
    """Raise ``ValueError`` naming the repeated values if ``values`` holds duplicates."""
    values = tuple(values)
    if len(set(values)) == len(values):  # the usual case, without counting
        return
    repeated = [value for value, count in Counter(values).items() if count > 1]
    if repeated:
        raise ValueError(f"{what} must be unique; repeated: {', '.join(map(str, repeated))}")


Identifier = Annotated[
    str,
    # The pattern says what is allowed (no whitespace, no control character), for schema
    # readers and generators; the validator runs first and names a control character.
    StringConstraints(min_length=1, max_length=200, pattern=r"^[^\s\x00-\x1f\x7f]+$"),
    BeforeValidator(refuse_control_characters),
]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=10_000)]
RequiredText = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
Url = Annotated[str, StringConstraints(max_length=2_000, pattern=r"^https?://\S+$")]
MAX_POLYGONS = 50
"""The most polygons one location may have (a region with its islands has under 20)."""

Count = Annotated[int, Ge(0), Le(MAX_COUNT)]
PositiveCount = Annotated[int, Gt(0), Le(MAX_COUNT)]
UtcDatetime = Annotated[datetime, BeforeValidator(read_xs_datetime), AfterValidator(to_utc)]
OrgId = Annotated[str, AfterValidator(check_org_id), BeforeValidator(refuse_control_characters)]
RegionId = Annotated[str, AfterValidator(check_region_id)]
Addressee = Annotated[str, AfterValidator(check_addressee)]
GripCode = Annotated[str, BeforeValidator(_int_to_code), AfterValidator(check_grip_level)]
ResourceCode = Annotated[str, AfterValidator(check_resource_type)]
CategoryCode = Annotated[str, AfterValidator(check_category)]


class Location(BaseModel):
    """Where something is: a place name, a point, an area (polygons or a circle), or several.

    ``polygons`` and ``circle`` were added in contract version 2 (optional, with defaults, so
    readers and writers of version 1 keep working). Several polygons form one area (GeoJSON's
    MultiPolygon, or CAP's several ``<polygon>`` of one ``<area>``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    place: ShortText | None = Field(
        default=None, description="Place name, e.g. 'Vlissingen, Boulevard de Ruyter'."
    )
    point: GeoPoint | None = Field(default=None, description="Coordinates (WGS84).")
    polygons: list[GeoPolygon] = Field(
        default_factory=list,
        max_length=MAX_POLYGONS,
        description="The area as polygons (WGS84); several form one area (a MultiPolygon).",
    )
    circle: GeoCircle | None = Field(
        default=None, description="The area as a circle: centre and radius in kilometres."
    )

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.place is None and self.point is None and not self.polygons and not self.circle:
            raise ValueError("a location needs a place name, a point, an area, or several")
        if self.polygons and self.circle is not None:
            raise ValueError(
                "a location's area is polygons or a circle, not both: send the circle as a "
                "polygon, or two locations"
            )
        return self

    @property
    def has_geometry(self) -> bool:
        """Whether the location says where on the map (a point or an area), not only a name."""
        return self.point is not None or bool(self.polygons) or self.circle is not None
