"""Webhook subscriptions, their delivery log and dead letters (integrity_desk.webhooks)."""
