"""Your account and your API tokens (integrity_desk.people)."""
