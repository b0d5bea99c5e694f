"""The outbox: messages by delivery status, dead letters and replay (integrity_desk.messages)."""
