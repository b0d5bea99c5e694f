"""Integrity Desk: the escalations and investigations desk of a content-integrity team."""

__version__ = "0.1.0"
