"""The ingress gateway: every ingress record becomes a log event or a dead-letter record."""
