"""The decision panel of a case: decide, approve, appeals (integrity_desk.decisions)."""
