"""Steps many tests take through the public API."""

from __future__ import annotations

from typing import Any

API = "/api/v1"


def decide_no_action(client: Any, person: Any, key: str, *,
                     guideline: str = "not_experience") -> Any:
    """Decide a case that is in progress (or assigned) with no action: the lightest decision."""
    return client.post(f"{API}/cases/{key}/decisions", headers=person.headers, json={
        "outcome": "no_action", "guideline": guideline,
        "explanation": "Checked against the guideline; nothing to act on.",
        "facts": "Read the report and the review."})
