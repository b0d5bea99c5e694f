"""The search page (integrity_desk.search)."""
