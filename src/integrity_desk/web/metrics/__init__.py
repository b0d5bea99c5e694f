"""The queues page and the manager overview (integrity_desk.metrics)."""
