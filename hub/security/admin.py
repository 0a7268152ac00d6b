"""The broker side of ``kcr acl apply``: read, create and delete ACLs with confluent-kafka.

Only ALLOW bindings for any host (``*``) are read back as :class:`AclRule`; the hub never writes
others, and leaves any it finds alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any, cast

from hub.kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    KafkaException,
    ResourcePatternType,
    ResourceType,
    admin_client,
)
from hub.security.acls import AclPlan, AclRule
from hub.security.errors import AclError

__all__ = ["acl_admin", "apply_plan", "current_acls"]

_TIMEOUT = 30.0


def acl_admin(bootstrap: str, config: Mapping[str, str]) -> AdminClient:
    """An admin client for ``bootstrap`` with ``config`` (the admin user's SASL options)."""
    return admin_client(bootstrap, config)


def _resource_type(name: str) -> ResourceType:
    """Map a rule's resource type; librdkafka calls Kafka's CLUSTER (code 4) BROKER."""
    return ResourceType.BROKER if name == "CLUSTER" else ResourceType[name]


def _resource_name(resource: ResourceType) -> str:
    return "CLUSTER" if resource == ResourceType.BROKER else resource.name


def _to_binding(rule: AclRule) -> AclBinding:
    return AclBinding(
        _resource_type(rule.resource), rule.name, ResourcePatternType[rule.pattern],
        rule.principal, "*", AclOperation[rule.operation], AclPermissionType.ALLOW,
    )  # fmt: skip


def _to_rule(binding: AclBinding) -> AclRule | None:
    if binding.permission_type != AclPermissionType.ALLOW or binding.host != "*":
        return None
    return AclRule(
        principal=binding.principal,
        resource=_resource_name(cast(ResourceType, binding.restype)),
        pattern=cast(ResourcePatternType, binding.resource_pattern_type).name,
        name=binding.name,
        operation=cast(AclOperation, binding.operation).name,
    )


def current_acls(admin: AdminClient) -> set[AclRule]:
    """Every ALLOW-for-any-host ACL on the broker."""
    anything = cast(str, None)  # librdkafka's wildcard; the stubs only say str
    everything = AclBindingFilter(
        ResourceType.ANY, anything, ResourcePatternType.ANY, anything, anything,
        AclOperation.ANY, AclPermissionType.ANY,
    )  # fmt: skip
    try:
        bindings = admin.describe_acls(everything, request_timeout=_TIMEOUT).result()
    except KafkaException as exc:
        raise AclError("list", str(exc.args[0])) from exc
    return {rule for binding in bindings if (rule := _to_rule(binding)) is not None}


def _wait(futures: Mapping[Any, Future[Any]], action: str) -> None:
    for future in futures.values():
        try:
            future.result()
        except KafkaException as exc:
            raise AclError(action, str(exc.args[0])) from exc


def apply_plan(admin: AdminClient, plan: AclPlan) -> None:
    """Create the plan's missing ACLs, then delete the ones no longer derived."""
    if plan.create:
        bindings: list[AclBinding] = [_to_binding(rule) for rule in plan.create]
        _wait(admin.create_acls(bindings, request_timeout=_TIMEOUT), "create")
    if plan.delete:
        filters = [_to_filter(rule) for rule in plan.delete]
        _wait(admin.delete_acls(filters, request_timeout=_TIMEOUT), "delete")


def _to_filter(rule: AclRule) -> AclBindingFilter:
    return AclBindingFilter(
        _resource_type(rule.resource), rule.name, ResourcePatternType[rule.pattern],
        rule.principal, "*", AclOperation[rule.operation], AclPermissionType.ALLOW,
    )  # fmt: skip
