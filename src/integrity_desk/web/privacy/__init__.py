"""Counsel's pages: letters held for review and legal holds on a case (integrity_desk.privacy)."""
