"""A secure broker (SASL/SCRAM + ACLs) on free ports for the security tests, and its clients."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.broker import LocalBroker
from hub.contracts.events.catalogue import FAMILIES
from hub.contracts.organisations import load_registry
from hub.kafka.clients import client_options, confluent_options
from hub.security.acls import derive_acls, plan_acls
from hub.security.admin import acl_admin, apply_plan, current_acls
from hub.security.credentials import Credentials, read_credentials
from hub.settings import Settings
from hub.topics import TopicNames, hub_topics
from hub.topics.admin import apply_topics
from tests.conftest import jars_dir
from tests.harness import free_port_pair


@dataclass(frozen=True)
class SecureHub:
    """A running secure broker with the default topic names and every derived ACL applied."""

    bootstrap: str
    credentials_file: Path
    names: TopicNames

    @property
    def credentials(self) -> Credentials:
        """The generated passwords."""
        return read_credentials(self.credentials_file)

    def settings(self, **changes: Any) -> Settings:
        """Settings pointing at this broker and its credentials file."""
        return Settings(bootstrap=self.bootstrap, credentials_file=self.credentials_file, **changes)

    def options(self, user: str, password: str | None = None) -> dict[str, Any]:
        """Aiokafka options logging in as ``user`` (with its own password unless given)."""
        options = client_options(self.settings(), service=user)
        if password is not None:
            options["sasl_plain_password"] = password
        return {"bootstrap_servers": self.bootstrap, **options}


def apply_derived_acls(hub: SecureHub) -> int:
    """Apply the derived ACLs as admin; return how many changed."""
    admin = acl_admin(hub.bootstrap, confluent_options(hub.settings()))
    plan = plan_acls(current_acls(admin), derive_acls(load_registry(), hub.names), hub.names)
    apply_plan(admin, plan)
    return len(plan.create) + len(plan.delete)


@contextmanager
def secure_hub(orgs: tuple[str, ...] = ("vr07", "vr08")) -> Iterator[SecureHub]:
    """Start a secure broker in a temporary dir, create ``orgs``' topics and the ACLs, stop it."""
    with tempfile.TemporaryDirectory(prefix="kcr-secure-broker-") as home:
        credentials_file = Path(home) / "credentials.json"
        broker = LocalBroker(
            Path(home) / "kafka", jars_dir(), "127.0.0.1", free_port_pair(), credentials_file
        )
        broker.start(timeout=180)
        try:
            hub = SecureHub(broker.bootstrap, credentials_file, TopicNames())
            specs = hub_topics(orgs, FAMILIES, hub.names)
            apply_topics(hub.bootstrap, specs, confluent_options(hub.settings()))
            apply_derived_acls(hub)
            yield hub
        finally:
            broker.stop()
