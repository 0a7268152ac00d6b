"""The processors' state as keyed entries: round trip, bounded entries, only changes written."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.domain._common import FrozenJson, FrozenSnapshots
from hub.domain.hub import HubProjection
from hub.domain.testing import incident_closed, incident_reported, minutes
from hub.domain.thresholds import load_thresholds
from hub.processing.keyed_state import (
    ENTRY_LIMIT,
    LIST_CHUNK,
    KeyedWriter,
    StateChanges,
    from_entries,
    to_entries,
)
from hub.processing.projector import Projector

_keys = st.text(min_size=1, max_size=8).filter(lambda key: not key.startswith("\x00"))
_bulky = st.integers(0, 20).map(lambda n: "x" * (n * 1000))  # cheap values near ENTRY_LIMIT
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | _bulky,
    lambda inner: st.lists(inner, max_size=150) | st.dictionaries(_keys, inner, max_size=20),
    max_leaves=150,
)
"""JSON trees with lists past LIST_CHUNK and values past ENTRY_LIMIT, cheap to generate.

(Large trees of many small leaves made generation itself the cost: minutes per test on a
loaded machine, and hypothesis reported inconsistent data generation there.)"""


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _json, max_size=10))
def test_any_tree_comes_back_whole_from_its_entries(tree: dict[str, Any]) -> None:
    """Cut into entries and put together again, in any order, a tree is what it was."""
    entries = to_entries(tree)
    assert from_entries(reversed(list(entries.items()))) == tree


def _projection(active: int, closed: int) -> Projector:
    hub = HubProjection(load_thresholds().replace("live_state", closed_grace_minutes=10))
    for n in range(active + closed):
        hub.apply(incident_reported(f"inc-{n}", minutes(n), grip_level="3"))
    for n in range(closed):
        hub.apply(incident_closed(f"inc-{n}", minutes(active + closed)))
    hub.tick(minutes(active + closed + 1), 1)
    return Projector(hub)


def test_no_entry_grows_with_the_state() -> None:
    """3,000 active incidents: many small entries, none over the limit; restored it is equal."""
    projector = _projection(3_000, 0)
    snapshot = projector.to_snapshot()
    entries = to_entries(snapshot)
    assert len(entries) > 3_000
    assert max(len(raw) for raw in entries.values()) <= ENTRY_LIMIT
    restored = Projector.from_snapshot(from_entries(entries.items()))
    assert restored.to_snapshot() == json.loads(json.dumps(snapshot))


def test_a_save_writes_only_what_changed_and_deletes_what_left() -> None:
    """One incident reported: its entries written, no other incident's; retired ones deleted."""
    projector = _projection(500, 20)
    writer = KeyedWriter()
    first = writer.changes(projector.to_snapshot())
    writer.saved(first)
    hub = projector.projection
    hub.apply(incident_reported("inc-new", minutes(531)))
    hub.tick(minutes(532), 2)
    second = writer.changes(projector.to_snapshot())
    incidents = [key for key in second.written if '"incidents",' in key]
    views = [key for key in second.written if '"views","incident/' in key]
    assert incidents == ['["projection","state","situation","incidents","inc-new"]']
    assert views == ['["projection","views","incident/inc-new"]']
    assert len(second.deleted) >= 20  # the closed incidents and their views left the state
    writer.saved(second)
    assert not writer.changes(projector.to_snapshot())


def _store(store: dict[str, bytes], writer: KeyedWriter, changes: StateChanges) -> None:
    """Apply a save's ``changes`` to ``store`` as the state topic would, and tell ``writer``."""
    store.update(changes.written)
    for key in changes.deleted:
        store.pop(key, None)
    writer.saved(changes)


_item_names = st.sampled_from([f"item-{n}" for n in range(LIST_CHUNK * 3)] + ["a,b", 'q"t'])
_steps = st.lists(
    st.tuples(st.sets(_item_names, max_size=LIST_CHUNK * 2), st.integers(0, 3)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_steps, st.booleans())
def test_what_a_writer_stores_is_always_the_tree(
    steps: list[tuple[set[str], int]], restore: bool
) -> None:
    """After every save the store holds exactly the tree.

    Collections of frozen items grow past and shrink below the collection size, items change or
    stay the same object; a writer restored from the store writes nothing for the same tree.
    """
    store: dict[str, bytes] = {}
    writer = KeyedWriter()
    items: dict[str, FrozenJson] = {}
    for version, (names, changed) in enumerate(steps):
        for name in names:
            if name not in items or sum(map(ord, name)) % 4 < changed:  # some change, some stay
                items[name] = FrozenJson(name=name, version=version)
        for name in set(items) - names:
            del items[name]
        tree = {"state": {"items": dict(items), "tick": version}}
        changes = writer.changes(tree)
        _store(store, writer, changes)
        assert from_entries(store.items()) == json.loads(json.dumps(tree))
        assert not writer.changes(tree)
        if restore:
            writer = KeyedWriter(store.items())
            assert not writer.changes(tree)


def test_an_unchanged_collection_costs_no_encoding() -> None:
    """Saving the same objects again writes nothing; one new object is the one entry written."""
    items = {f"i{n}": FrozenJson(n=n) for n in range(LIST_CHUNK * 10)}
    writer = KeyedWriter()
    writer.saved(writer.changes({"s": {"items": items}}))
    items["i3"] = FrozenJson(n=-3)
    changes = writer.changes({"s": {"items": items}})
    assert changes.written == {'["s","items","i3"]': b'{"n":-3}'}
    assert changes.deleted == []


_book_steps = st.lists(
    st.tuples(
        st.sets(_item_names, max_size=LIST_CHUNK * 2),  # the items the book holds after the step
        st.integers(0, 3),  # how many of them change
        st.sampled_from(["save", "save", "save", "fail", "extra snapshot"]),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_book_steps)
def test_a_writer_following_a_book_stores_the_tree_though_saves_fail(
    steps: list[tuple[set[str], int, str]],
) -> None:
    """A writer following a book's snapshots stores exactly the tree after every save.

    The book's :class:`FrozenCollection` snapshots say what they touched and the writer looks
    only at those; the store is still the tree when a save failed before (its changes never
    stored) or someone else took a snapshot in between.
    """
    store: dict[str, bytes] = {}
    writer = KeyedWriter()
    book = FrozenSnapshots()
    items: dict[str, int] = {}
    for version, (names, changed, action) in enumerate(steps):
        for name in names:
            if name not in items or sum(map(ord, name)) % 4 < changed:
                items[name] = version
                book.touch(name)
        for name in set(items) - names:
            del items[name]
            book.touch(name)

        def make(name: str) -> FrozenJson | None:
            return None if name not in items else FrozenJson(name=name, version=items[name])

        collection = book.all(make)
        if action == "extra snapshot":
            continue
        tree = {"state": {"items": collection, "tick": version}}
        changes = writer.changes(tree)
        if action == "fail":
            continue
        _store(store, writer, changes)
        assert from_entries(store.items()) == json.loads(json.dumps(tree))


def test_a_followed_collection_is_looked_at_only_where_touched() -> None:
    """The second save of a 3,000-item book looks at the one item touched, not at all of them."""
    book = FrozenSnapshots()
    items = {f"i{n}": FrozenJson(n=n) for n in range(3_000)}
    book.touch(*items)
    writer = KeyedWriter()
    writer.saved(writer.changes({"s": {"items": book.all(items.get)}}))
    items["i7"] = FrozenJson(n=-7)
    book.touch("i7")
    changes = writer.changes({"s": {"items": book.all(items.get)}})
    assert changes.written == {'["s","items","i7"]': b'{"n":-7}'}
    assert [looked.names for looked in changes.looked.values()] == [{"i7"}]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(_keys, _json, max_size=6), min_size=2, max_size=4))
def test_saves_of_changing_plain_trees_store_each_tree(trees: list[dict[str, Any]]) -> None:
    """A writer saving tree after tree stores exactly the latest one, entry for entry.

    Records stored whole at the last save are dumped whole first and fall back to member by
    member when they grew: the entries are those a fresh cut gives.
    """
    store: dict[str, bytes] = {}
    writer = KeyedWriter()
    for tree in [*trees, trees[0]]:
        nested = {"state": {"a": tree, "b": {"kept": tree}}}
        changes = writer.changes(nested)
        _store(store, writer, changes)
        assert from_entries(store.items()) == json.loads(json.dumps(nested))
        assert to_entries(nested) == dict(store)
