"""A replay lets the garbage collector run less often, and gives the thresholds back after."""

from __future__ import annotations

import gc

from hub.history.replay import fewer_collections, replay_items
from tests.unit.crisis_log import crisis_log


def test_thresholds_are_raised_while_replays_run_and_restored_after() -> None:
    """Interleaved replays: raised from the first start to the last end, then as before."""
    before = gc.get_threshold()
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    raised = gc.get_threshold()
    assert raised[0] > before[0]
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold() == raised  # the second replay still runs
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_a_replay_leaves_the_thresholds_as_it_found_them() -> None:
    """After a replay (of an archive's items) the process's thresholds are unchanged."""
    before = gc.get_threshold()
    assert replay_items(crisis_log().items).ticks == 4
    assert gc.get_threshold() == before
