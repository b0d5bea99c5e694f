"""ASGI entry point for ``uvicorn integrity_desk.api.main:app`` (what ``idesk serve`` runs)."""

from integrity_desk.api.app import create_app

app = create_app()
