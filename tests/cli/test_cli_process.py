"""The installed `idesk` command in a fresh process, as an operator runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from integrity_desk.api.app import create_app
from integrity_desk.db import Database
from integrity_desk.settings import Settings


def _idesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "integrity_desk.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_fresh_process_migrates_creates_user_and_prints_a_working_token(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    env = {**os.environ, "IDESK_DATABASE_URL": url, "IDESK_SECRET_KEY": "k"}
    assert _idesk(env, "migrate").returncode == 0
    made = _idesk(env, "user", "create", "lead@desk.example.com", "--name", "Lead",
                  "--role", "manager")
    assert made.returncode == 0, made.stderr
    token = _idesk(env, "token", "create", "lead@desk.example.com")
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip()
    assert secret.startswith("idk_") and "\n" not in secret
    db = Database(url)
    try:
        with TestClient(create_app(db, Settings(database_url=url))) as client:
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert me.status_code == 200
        assert me.json()["role"] == "manager"
    finally:
        db.dispose()
    unknown = _idesk(env, "token", "create", "nobody@desk.example.com")
    assert unknown.returncode == 2
    assert "email" in unknown.stderr
