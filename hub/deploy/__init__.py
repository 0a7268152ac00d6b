"""Deployment manifests generated from the code's own declarations, so they cannot drift.

``kcr deploy render k8s|compose`` writes them: the topics come from
:func:`hub.topics.declaration.declared_topics`, the users and ACLs from the organisation registry
through :func:`hub.security.acls.derive_acls`, the replication settings from
:mod:`hub.broker.replication` (which the local three-node cluster uses too).
"""

from hub.deploy.render import TARGETS, render, write_rendered

__all__ = ["TARGETS", "render", "write_rendered"]
