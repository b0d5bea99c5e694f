"""`idesk serve` believes forwarded headers only when IDESK_TRUST_PROXY says a proxy of ours
sets them (uvicorn would otherwise take them from any local peer)."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from integrity_desk.cli.main import app
from integrity_desk.settings import get_settings


@pytest.mark.parametrize(("env", "trusted"), [("false", False), ("true", True)])
def test_serve_passes_the_proxy_setting_to_uvicorn(monkeypatch: pytest.MonkeyPatch, env: str,
                                                   trusted: bool) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("IDESK_TRUST_PROXY", env)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is trusted and seen["port"] == 8123
