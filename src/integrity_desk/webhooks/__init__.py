"""Webhooks: signed HTTP notifications of what happens to cases, delivered at least once."""
