"""Setting a compatibility level that is already set writes nothing to the registry's log."""

from hub.registry.compatibility import CompatibilityLevel
from hub.registry.records import ConfigChanged
from hub.registry.state import RegistryState


def test_setting_the_same_level_again_plans_no_record() -> None:
    """The first set writes a config record; the same level again writes none; a new one does."""
    state = RegistryState()
    first = state.plan_set_level("s", CompatibilityLevel.FULL_TRANSITIVE)
    assert first.records == (ConfigChanged("s", CompatibilityLevel.FULL_TRANSITIVE),)
    state.apply(first.records[0])
    again = state.plan_set_level("s", CompatibilityLevel.FULL_TRANSITIVE)
    assert (again.result, again.records) == (CompatibilityLevel.FULL_TRANSITIVE, ())
    assert state.plan_set_level("s", CompatibilityLevel.NONE).records


def test_global_level_equal_to_the_default_is_still_recorded_once() -> None:
    """An explicit global level is recorded even when it equals the default, then not again."""
    state = RegistryState(CompatibilityLevel.FULL_TRANSITIVE)
    first = state.plan_set_level(None, CompatibilityLevel.FULL_TRANSITIVE)
    assert first.records
    state.apply(first.records[0])
    assert not state.plan_set_level(None, CompatibilityLevel.FULL_TRANSITIVE).records
