"""The ACL derivation: each organisation reaches its own topics, services what they use."""

from __future__ import annotations

from hub.contracts.organisations import load_registry
from hub.security.acls import AclRule, derive_acls, is_managed, plan_acls
from hub.topics.declaration import TopicNames

NAMES = TopicNames("kcr")
RULES = derive_acls(load_registry(), NAMES)


def _of(user: str) -> set[AclRule]:
    return {rule for rule in RULES if rule.principal == f"User:{user}"}


def _topics(user: str, operation: str) -> set[tuple[str, str]]:
    return {
        (rule.pattern, rule.name)
        for rule in _of(user)
        if rule.resource == "TOPIC" and rule.operation == operation
    }


def test_a_region_writes_only_its_own_ingress() -> None:
    """vr07 may write kcr.ingress.vr07 and no other topic."""
    assert _topics("vr07", "WRITE") == {("LITERAL", "kcr.ingress.vr07")}


def test_a_region_reads_only_its_own_outbox() -> None:
    """A region's role reads nothing besides its outbox."""
    assert _topics("vr07", "READ") == {("LITERAL", "kcr.outbox.vr07")}


def test_a_region_uses_only_its_own_groups() -> None:
    """The connector group kcr.connector.vr07 and groups below it."""
    groups = {(r.pattern, r.name) for r in _of("vr07") if r.resource == "GROUP"}
    assert groups == {("LITERAL", "kcr.connector.vr07"), ("PREFIXED", "kcr.connector.vr07.")}


def test_national_centres_read_views_and_signals() -> None:
    """The national_centre role's read patterns become READ ACLs."""
    assert _topics("ncc", "READ") >= {
        ("PREFIXED", "kcr.view."), ("PREFIXED", "kcr.signal."),
        ("LITERAL", "kcr.coordination"), ("LITERAL", "kcr.advice"),
    }  # fmt: skip
    assert ("PREFIXED", "kcr.log.") not in _topics("ncc", "READ")


def test_analysts_read_the_log_and_nobody_else_outside_the_hub() -> None:
    """Only the analyst role and hub services read kcr.log.*."""
    readers = {r.principal for r in RULES if r.name == "kcr.log." and r.operation == "READ"}
    assert readers == {"User:analysts", "User:gateway", "User:processors", "User:clock"}


def test_no_partner_may_create_topics_or_touch_transactions() -> None:
    """CREATE and transactional ids belong to hub services only."""
    hub_only = {r.principal for r in RULES if r.operation in ("CREATE", "ALTER", "ALL")}
    hub_only |= {r.principal for r in RULES if r.resource == "TRANSACTIONAL_ID"}
    assert hub_only == {"User:processors", "User:gateway"}


def test_the_gateway_gets_ingress_log_deadletter_and_transactions() -> None:
    """What the gateway's clients use."""
    assert _topics("gateway", "WRITE") == {
        ("PREFIXED", "kcr.log."),
        ("LITERAL", "kcr.deadletter"),
        ("LITERAL", "kcr.ownership"),
        ("PREFIXED", "kcr.outbox."),  # notices of refused records to their senders
    }
    assert ("LITERAL", "kcr.ownership") in _topics("gateway", "READ")
    assert ("PREFIXED", "kcr.ingress.") in _topics("gateway", "READ")
    txn = {(r.pattern, r.name) for r in _of("gateway") if r.resource == "TRANSACTIONAL_ID"}
    assert txn == {("PREFIXED", "kcr-gateway-")}


def test_admin_and_the_hub_organisation_get_no_acls() -> None:
    """Admin is a super user; the 'hub' organisation has no topics of its own."""
    assert not _of("admin")
    assert not _of("hub")


def test_every_derived_rule_is_managed_and_other_prefixes_are_not() -> None:
    """Apply owns its own rules, never another hub's on the same broker."""
    assert all(is_managed(rule, NAMES) for rule in RULES)
    other = derive_acls(load_registry(), TopicNames("kcr.t1"))
    assert not any(is_managed(rule, NAMES) for rule in other if rule.resource != "CLUSTER")


def test_a_topic_prefix_moves_every_name() -> None:
    """Under prefix 'x', vr07 writes x.ingress.vr07."""
    rules = derive_acls(load_registry(), TopicNames("x"))
    assert AclRule("User:vr07", "TOPIC", "LITERAL", "x.ingress.vr07", "WRITE") in rules


def test_plan_creates_missing_deletes_stale_and_ignores_foreign() -> None:
    """The diff touches only managed rules."""
    stale = AclRule("User:vr07", "TOPIC", "LITERAL", "kcr.ingress.vr08", "WRITE")
    foreign = AclRule("User:bob", "TOPIC", "LITERAL", "other.topic", "READ")
    kept = next(iter(sorted(RULES)))
    plan = plan_acls({stale, foreign, kept}, RULES, NAMES)
    assert plan.delete == (stale,)
    assert len(plan.create) == len(RULES) - 1
    assert plan.unchanged == 1


def test_plan_of_applied_rules_is_empty() -> None:
    """Applying twice changes nothing the second time."""
    assert plan_acls(RULES, RULES, NAMES).empty
