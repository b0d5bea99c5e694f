"""Settings read from the environment (prefix ``IDESK_``), so one build runs anywhere."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IDESK_", extra="ignore")

    database_url: str = f"sqlite:///{Path.cwd() / 'integrity_desk.db'}"
    # Signs audit checkpoints; production sets its own. Checkpoints made with one key only
    # verify with that key, which is the point.
    secret_key: str = "dev-only-change-me"
    worker_poll_seconds: float = 1.0
    sla_sweep_seconds: int = 60
    audit_checkpoint_seconds: int = 600
    db_pool_size: int = 10
    # Personal data of a closed case is erased this many days after it closed (unless held);
    # the worker looks every retention_sweep_seconds, erasing retention_batch cases per run.
    retention_days: int = Field(default=365, ge=1)
    retention_sweep_seconds: int = 3600
    retention_batch: int = Field(default=200, ge=1, le=5000)


@lru_cache
def get_settings() -> Settings:
    return Settings()
