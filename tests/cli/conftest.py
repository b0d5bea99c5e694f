"""`idesk …` run in process against a SQLite file of the test's own: the fixtures every CLI
test shares (a module adds what it needs by overriding ``run`` and asking for this one)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from integrity_desk.cli.main import app
from integrity_desk.settings import get_settings

SECRET = "cli-test-secret"
Run = Callable[..., Result]


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'desk.db'}"


@pytest.fixture
def run(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """Invoke `idesk …` with the environment pointing at this test's database (settings are
    cached per process, so they are cleared around each call)."""
    monkeypatch.setenv("IDESK_DATABASE_URL", url)
    monkeypatch.setenv("IDESK_SECRET_KEY", SECRET)
    monkeypatch.delenv("IDESK_NEW_PASSWORD", raising=False)
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None,
               input: str | None = None) -> Result:
        get_settings.cache_clear()
        try:
            return runner.invoke(app, list(args), env=env, input=input)
        finally:
            get_settings.cache_clear()

    get_settings.cache_clear()
    yield invoke
    get_settings.cache_clear()
