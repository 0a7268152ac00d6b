"""Where the supra-regional windows qualify, kept per category as incidents come and go.

The rule ``supra_regional`` looks at windows of ``window`` after each active incident's start
and counts the distinct regions of the incidents starting in it. Region ``r`` is present in
the window that opens at ``t`` exactly when some start ``x`` of ``r`` lies in ``[t, t + W]``,
that is when ``t`` lies in ``[x - W, x]``; so the moments where ``r`` is present are the union
of those intervals: one interval per cluster of ``r``'s starts, where a cluster ends at a gap
wider than ``W``. :class:`RegionStarts` keeps one region's starts and its wide gaps as starts
come and go (O(log n) each), so the clusters are read without visiting every start; a category
with all its incidents in one burst has one cluster per region, whatever their number.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["CategoryWindows", "RegionStarts", "Span", "qualifying_spans"]

Span = tuple[datetime, datetime]
"""A closed interval of moments."""
_Start = tuple[datetime, str]  # (started_at, incident id)


@dataclass
class RegionStarts:
    """One region's incident starts (sorted) and the gaps between them wider than ``window``."""

    window: timedelta
    starts: list[_Start] = field(default_factory=list)
    gaps: list[tuple[_Start, _Start]] = field(default_factory=list)

    def add(self, start: _Start) -> None:
        """Add a start; only the gaps around it change."""
        index = bisect_left(self.starts, start)
        before = self.starts[index - 1] if index > 0 else None
        after = self.starts[index] if index < len(self.starts) else None
        self._ungap(before, after)
        self.starts.insert(index, start)
        self._gap(before, start)
        self._gap(start, after)

    def remove(self, start: _Start) -> None:
        """Remove a start; only the gaps around it change."""
        index = bisect_left(self.starts, start)
        if index == len(self.starts) or self.starts[index] != start:
            return
        before = self.starts[index - 1] if index > 0 else None
        after = self.starts[index + 1] if index + 1 < len(self.starts) else None
        del self.starts[index]
        self._ungap(before, start)
        self._ungap(start, after)
        self._gap(before, after)

    def presence(self) -> Iterator[Span]:
        """Yield, in order, the moments a window opening then sees this region: ``[x - W, y]``."""
        if not self.starts:
            return
        first = self.starts[0][0]
        for last, following in self.gaps:
            yield (first - self.window, last[0])
            first = following[0]
        yield (first - self.window, self.starts[-1][0])

    def any_within(self, span: Span) -> bool:
        """Whether a start lies in ``span``."""
        index = bisect_left(self.starts, (span[0],))
        return index < len(self.starts) and self.starts[index][0] <= span[1]

    def _gap(self, before: _Start | None, after: _Start | None) -> None:
        if before is not None and after is not None and after[0] - before[0] > self.window:
            insort(self.gaps, (before, after))

    def _ungap(self, before: _Start | None, after: _Start | None) -> None:
        if before is None or after is None:
            return
        index = bisect_left(self.gaps, (before, after))
        if index < len(self.gaps) and self.gaps[index] == (before, after):
            del self.gaps[index]


@dataclass
class CategoryWindows:
    """Per region the starts of one category's active incidents."""

    window: timedelta
    regions: dict[str, RegionStarts] = field(default_factory=dict)

    def add(self, start: _Start, regions: Iterable[str]) -> None:
        """Count an incident that started at ``start[0]`` in ``regions``."""
        for region in regions:
            self.regions.setdefault(region, RegionStarts(self.window)).add(start)

    def remove(self, start: _Start, regions: Iterable[str]) -> None:
        """Stop counting an incident (as it was added)."""
        for region in regions:
            starts = self.regions.get(region)
            if starts is not None:
                starts.remove(start)
                if not starts.starts:
                    del self.regions[region]


def qualifying_spans(windows: CategoryWindows, min_regions: int) -> list[Span]:
    """Return the moments (closed spans, in order) where ``min_regions`` regions are present."""
    edges: list[tuple[datetime, int]] = []
    for starts in windows.regions.values():
        for low, high in starts.presence():
            edges += [(low, 0), (high, 1)]  # at one moment openings come before closings
    edges.sort()
    spans: list[Span] = []
    present, opened = 0, None
    for moment, closing in edges:
        if not closing:
            present += 1
            if present == min_regions:
                opened = moment
        else:
            if present == min_regions and opened is not None:
                spans.append((opened, moment))
            present -= 1
    return spans


def covered_spans(
    qualifying: list[Span], by_start: list[_Start], window: timedelta
) -> list[tuple[int, int]]:
    """Return the index ranges ``[lo, hi)`` of ``by_start`` that some qualifying window covers.

    A qualifying span holding incident starts ``t_p``..``t_q`` covers the starts in
    ``[t_p, t_q + W]``; the ranges come merged and in order.
    """
    ranges: list[tuple[int, int]] = []
    for low, high in qualifying:
        first = bisect_left(by_start, (low,))
        if first == len(by_start) or by_start[first][0] > high:
            continue
        last = bisect_right(by_start, (high, "\U0010ffff")) - 1
        end = bisect_right(by_start, (by_start[last][0] + window, "\U0010ffff"))
        if ranges and first <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], end))
        else:
            ranges.append((first, end))
    return ranges
