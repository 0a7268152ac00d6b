"""Errors of the CSV import: a bad header refuses the file; a bad row is reported and skipped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hub.errors import HubError

__all__ = ["CsvHeaderError", "RowError"]


class CsvHeaderError(HubError, ValueError):
    """The header line lacks required columns or names unknown or repeated ones."""

    def __init__(
        self,
        *,
        missing: Iterable[str] = (),
        unknown: Iterable[str] = (),
        repeated: Iterable[str] = (),
        fix: str,
    ) -> None:
        """Name the ``missing``, ``unknown`` and ``repeated`` columns and how to ``fix`` them."""
        self.missing = tuple(missing)
        self.unknown = tuple(unknown)
        self.repeated = tuple(repeated)
        problems = [
            f"{what} column(s): {', '.join(names)}"
            for what, names in (
                ("missing", self.missing),
                ("unknown", self.unknown),
                ("repeated", self.repeated),
            )
            if names
        ]
        super().__init__(f"CSV header (line 1): {'; '.join(problems)}.", fix=fix)


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one data line was not imported: where, which field, what is wrong, how to fix it."""

    line: int
    field: str | None
    message: str
    fix: str = ""

    def __str__(self) -> str:
        """Return e.g. ``line 4: available 120 exceeds total 100 (fix: ...)``."""
        return f"line {self.line}: {self.message}" + (f" (fix: {self.fix})" if self.fix else "")
