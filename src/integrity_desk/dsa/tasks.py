"""The durable job that sends queued statements to the Transparency Database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from integrity_desk.dsa.client import TransparencyClient
from integrity_desk.dsa.submission import Stop, Submitter, session_scope
from integrity_desk.settings import Settings


def submit_queued(session: Session, *, now: datetime, payload: dict[str, Any],
                  settings: Settings) -> dict[str, Any]:
    """One submission run. It commits batch by batch on the job's session (each batch's outcome
    is durable before the next leaves, and nothing is held open while the API answers); when
    the run had to stop (a bad token, the API failing throughout) the job fails with the reason,
    so operators see it in ``jobs.last_error`` and the job retries with back-off."""
    if not settings.dsa_api_url:
        return {"skipped": "IDESK_DSA_API_URL is not set"}
    with TransparencyClient(settings.dsa_api_url, settings.dsa_api_token,
                            timeout=settings.dsa_timeout_seconds) as client:
        report = Submitter(session_scope(session), client, actor="worker",
                           max_retries=settings.dsa_max_retries).run(limit=payload.get("limit"))
    if report.stopped:
        raise Stop(f"{report.stopped} ({report.summary()})")
    return report.summary()
