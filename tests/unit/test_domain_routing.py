"""The router: explicit recipients, TLP limits, subscriptions by role and by event."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.contracts.events.envelope import Tlp
from hub.contracts.events.subscription import SUBSCRIPTION_KINDS
from hub.contracts.organisations import OrganisationKind, load_registry
from hub.contracts.outputs import (
    CoordinationRequested,
    CoordinationRequestedData,
    EscalationData,
    EscalationRaised,
    RegionView,
)
from hub.domain.routing import Routable, partners, route
from hub.domain.subscriptions import SubscriptionBook, default_subscriptions
from hub.domain.testing import minutes, subscription_changed
from hub.domain.views import ViewRecord

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
REGISTRY = load_registry()
REGIONS = REGISTRY.region_ids()
NATIONAL = frozenset(
    o.id for o in REGISTRY.organisations() if o.kind is OrganisationKind.NATIONAL_CENTRE
)


def _signal(
    tlp: Tlp = Tlp.AMBER, regions: tuple[str, ...] = ("vr19",), recipients: tuple[str, ...] = ()
) -> EscalationRaised:
    """Return a raised signal about ``regions`` with ``tlp`` and ``recipients``."""
    data = EscalationData(
        signal_id="grip-high/inc-1", rule="grip_high", severity="warning", title="GRIP 4",
        regions=regions, since=NOW, observed_at=NOW,
    )  # fmt: skip
    return EscalationRaised(
        id="grip-high/inc-1:raised:1", subject="grip-high/inc-1", time=NOW, tlp=tlp,
        recipients=recipients, data=data,
    )  # fmt: skip


def _coordination(recipient: str, tlp: Tlp = Tlp.AMBER_STRICT) -> CoordinationRequested:
    """Return a coordination request to ``recipient``."""
    return CoordinationRequested(
        id="r/x:requested:1", subject="r/x", time=NOW, tlp=tlp, recipients=(recipient,),
        data=CoordinationRequestedData(
            request_id="r/x", kind="assistance", what="pump", quantity=1, total_quantity=1,
            for_org="vr19", region="vr19", respond_by=NOW,
        ),
    )  # fmt: skip


def _region_view(region: str) -> ViewRecord:
    """Return the view record of ``region``."""
    view = RegionView(
        region_id=region, name=region, active_incidents=(), categories=(), affected_people=0,
        silent=False, as_of=NOW, tick=1,
    )  # fmt: skip
    return ViewRecord("situation", view.key, view)


def _to(output: Routable, book: SubscriptionBook | None = None) -> set[str]:
    """Return the organisations whose outbox receives ``output``."""
    return set(route(output, book or SubscriptionBook(load_registry())).recipients)


def test_role_defaults_come_from_the_role_table() -> None:
    """Regions hear of signals about themselves and their neighbours; centres of everything."""
    assert dict(default_subscriptions(load_registry(), "vr19")) == {
        "signals": frozenset({"vr19", "vr17", "vr20"}),
        "assistance": frozenset({"vr19"}),
        "coordination": frozenset({"vr19"}),
    }
    assert dict(default_subscriptions(load_registry(), "ncc")) == dict.fromkeys(
        ("signals", "views", "coordination", "advice")
    )
    assert set(default_subscriptions(load_registry(), "min-jenv")) == {"advice", "information"}
    assert dict(default_subscriptions(load_registry(), "analysts")) == {}


def test_red_reaches_only_the_named_recipients() -> None:
    """A RED signal goes to its recipients, not to the centres that subscribe to signals."""
    assert _to(_signal(Tlp.RED, recipients=("locc",))) == {"locc"}


def test_amber_reaches_the_involved_and_the_national_centres() -> None:
    """AMBER: the region it is about and NCC/LOCC, never a neighbour that subscribes."""
    assert _to(_signal(Tlp.AMBER)) == {"vr19", "ncc", "locc"}


def test_amber_strict_reaches_only_the_involved() -> None:
    """AMBER_STRICT: recipients and regions involved, not the national centres."""
    assert _to(_signal(Tlp.AMBER_STRICT)) == {"vr19"}
    assert _to(_coordination("vr17")) == {"vr17"}


def test_green_reaches_every_subscriber() -> None:
    """GREEN: the neighbours' subscriptions now count too; nobody is public."""
    assert _to(_signal(Tlp.GREEN)) == {"vr19", "vr17", "vr20", "ncc", "locc"}
    assert not route(_signal(Tlp.GREEN), SubscriptionBook(load_registry())).public


def test_clear_is_also_public() -> None:
    """CLEAR outputs are flagged for public channels."""
    delivery = route(_signal(Tlp.CLEAR), SubscriptionBook(load_registry()))
    assert delivery.public
    assert set(delivery.recipients) == {"vr19", "vr17", "vr20", "ncc", "locc"}


def test_subscription_changes_add_remove_and_filter_by_region() -> None:
    """vr17 drops signals; vr25 adds signals about vr19 only; both within the TLP."""
    book = SubscriptionBook(load_registry())
    book.apply(subscription_changed(minutes(0), source="vr17", remove=["signals"]))
    book.apply(subscription_changed(minutes(0), source="vr25", add=["signals"], regions=["vr19"]))
    assert _to(_signal(Tlp.GREEN), book) == {"vr19", "vr20", "vr25", "ncc", "locc"}
    about_vr18 = {"vr18", "vr08", "vr09", "vr16", "vr20", "ncc", "locc"}  # vr17 dropped
    assert _to(_signal(Tlp.GREEN, regions=("vr18",)), book) == about_vr18
    assert _to(_signal(Tlp.AMBER), book) == {"vr19", "ncc", "locc"}


def test_changing_someone_elses_subscriptions_is_ignored() -> None:
    """A subscription change applies to its source only; another subject is ignored."""
    book = SubscriptionBook(load_registry())
    book.apply(subscription_changed(minutes(0), source="vr17", subject="vr20", remove=["signals"]))
    assert book.ignored == 1
    assert book.of("vr20") == default_subscriptions(load_registry(), "vr20")


def test_views_go_to_the_centres_and_to_regions_that_subscribe() -> None:
    """View records route at AMBER: centres always, a region only to its own views."""
    book = SubscriptionBook(load_registry())
    book.apply(subscription_changed(minutes(0), source="vr19", add=["views"], regions=["vr19"]))
    assert _to(_region_view("vr19"), book) == {"vr19", "ncc", "locc"}
    assert _to(_region_view("vr18"), book) == {"ncc", "locc"}


def test_the_hub_has_no_outbox() -> None:
    """Even a GREEN output addressed to the hub reaches no outbox of the hub."""
    assert "hub" not in partners(load_registry())
    assert "hub" not in _to(_signal(Tlp.GREEN, recipients=("hub",)))


def test_snapshot_round_trip() -> None:
    """A restored book routes the same."""
    book = SubscriptionBook(load_registry())
    book.apply(subscription_changed(minutes(0), source="vr25", add=["signals"], regions=["vr19"]))
    restored = SubscriptionBook.from_snapshot(book.to_snapshot(), load_registry())
    assert restored.changed == book.changed
    assert _to(_signal(Tlp.GREEN), restored) == _to(_signal(Tlp.GREEN), book)


ORGS = st.sampled_from(list(REGISTRY.ids()))
KINDS = st.lists(st.sampled_from(SUBSCRIPTION_KINDS), unique=True, max_size=4)


@st.composite
def _subscriptions(draw: st.DrawFn) -> SubscriptionBook:
    """Draw a subscription state: random changes by random partners."""
    book = SubscriptionBook(load_registry())
    for org in draw(st.lists(st.sampled_from(partners(load_registry())), max_size=8)):
        regions = draw(st.lists(st.sampled_from(REGIONS), unique=True, max_size=3))
        book.apply(
            subscription_changed(
                minutes(0), source=org, add=draw(KINDS), remove=draw(KINDS), regions=regions
            )
        )
    return book


@st.composite
def _outputs(draw: st.DrawFn) -> tuple[Routable, Tlp, frozenset[str], frozenset[str]]:
    """Draw an output: a signal, a coordination request or a view; its TLP, recipients, regions."""
    tlp = draw(st.sampled_from(list(Tlp)))
    recipients = tuple(draw(st.lists(ORGS, unique=True, min_size=tlp is Tlp.RED, max_size=3)))
    regions = tuple(draw(st.lists(st.sampled_from(REGIONS), unique=True, max_size=3)))
    choice = draw(st.sampled_from(["signal", "coordination", "view"]))
    if choice == "signal":
        return _signal(tlp, regions, recipients), tlp, frozenset(recipients), frozenset(regions)
    if choice == "coordination":
        recipient = draw(ORGS)
        output = _coordination(recipient, tlp)
        return output, tlp, frozenset({recipient}), frozenset()
    region = draw(st.sampled_from(REGIONS))
    return _region_view(region), Tlp.AMBER, frozenset(), frozenset({region})


@settings(max_examples=300, deadline=None)
@given(drawn=_outputs(), book=_subscriptions())
def test_no_output_ever_reaches_an_outbox_it_may_not(
    drawn: tuple[Routable, Tlp, frozenset[str], frozenset[str]], book: SubscriptionBook
) -> None:
    """Whatever the TLP, recipients, regions and subscriptions, TLP bounds the delivery."""
    output, tlp, recipients, regions = drawn
    delivery = route(output, book)
    delivered = set(delivery.recipients)
    involved = recipients | regions
    assert delivered <= set(partners(load_registry()))
    assert recipients - {"hub"} <= delivered  # explicit recipients always
    assert delivery.public is (tlp is Tlp.CLEAR)
    if tlp is Tlp.RED:
        assert delivered <= recipients
    if tlp is Tlp.AMBER_STRICT:
        assert delivered <= involved
    if tlp is Tlp.AMBER:
        assert delivered <= involved | NATIONAL
    if tlp in (Tlp.RED, Tlp.AMBER_STRICT, Tlp.AMBER):
        assert not {org for org in delivered if REGISTRY.is_region(org)} - involved
