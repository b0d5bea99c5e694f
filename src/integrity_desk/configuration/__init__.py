"""The desk's cached configuration snapshot (``service``): its own slice, apart from the
environment-derived ``integrity_desk.settings``."""
