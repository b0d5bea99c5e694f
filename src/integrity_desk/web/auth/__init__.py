"""Signing in and out of the console (integrity_desk.auth)."""
