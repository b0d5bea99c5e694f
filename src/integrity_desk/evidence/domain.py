"""The canonical form of a piece of evidence and its hashes: pure, so a bundle can be checked
with nothing but this module and the bundle itself (``idesk evidence verify``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from integrity_desk.audit.chain import canonical_json

FORMAT = "integrity-desk-evidence/1"  # the bundle's layout (evidence.bundle)
MANIFEST = "manifest.json"


class Occasion(StrEnum):
    # A person began to work the case (it went in progress), added the subject to it, or asked
    # for a snapshot: what they had before them.
    EXAMINED = "examined"
    # A decision was made (or proposed for approval) about the subject: the state it acted on.
    DECIDED = "decided"


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="microseconds") if value else None


def sealed(form: dict[str, Any]) -> tuple[str, str]:
    """The form's canonical JSON (sorted keys, no spaces, UTF-8) and the SHA-256 of it."""
    content = canonical_json(form)
    return content, sha256_hex(content.encode())


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(hashes: Iterable[str]) -> str:
    """One hash over a batch of snapshots' hashes (in the batch's order): what the timeline
    event carries, so the chain vouches for every snapshot of the batch."""
    h = hashlib.sha256()
    for value in hashes:
        h.update(value.encode() + b"\n")
    return h.hexdigest()


def review_form(row: Any, signals: list[dict[str, Any]]) -> dict[str, Any]:
    """A review as evidence: its words, its metadata, who wrote it about whom, the signals."""
    return {
        "subject": f"review:{row.ref}", "type": "review", "ref": row.ref,
        "title": row.title, "text": row.text, "rating": row.rating, "language": row.language,
        "status": row.status, "label": row.label,
        "published_at": iso(row.published_at), "experienced_at": iso(row.experienced_at),
        "device_id": row.device_id, "network_id": row.network_id,
        "business": ({"domain": row.business_domain, "name": row.business_name}
                     if row.business_domain else None),
        "reviewer": ({"ref": row.reviewer_ref, "display_name": row.reviewer_name}
                     if row.reviewer_ref else None),
        "signals": signals,
    }


def reviewer_form(row: Any, signals: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "subject": f"reviewer:{row.ref}", "type": "reviewer", "ref": row.ref,
        "display_name": row.display_name, "country": row.country,
        "review_count": row.review_count, "status": row.status,
        "joined_at": iso(row.joined_at), "suspended_until": iso(row.suspended_until),
        "warning_count": row.warning_count, "signals": signals,
    }


def business_form(row: Any, signals: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "subject": f"business:{row.domain}", "type": "business", "domain": row.domain,
        "name": row.name, "country": row.country, "plan_tier": row.plan_tier,
        "review_count": row.review_count, "features_status": row.features_status,
        "features_until": iso(row.features_until), "consumer_warning": row.consumer_warning,
        "consumer_warning_until": iso(row.consumer_warning_until),
        "warning_count": row.warning_count, "signals": signals,
    }


def signal_form(row: Any) -> dict[str, Any]:
    """A finding as a snapshot names it; its whole evidence goes once into the bundle."""
    return {"id": row.signal_id, "kind": row.kind, "key": row.key,
            "strength": round(float(row.score), 4), "explanation": row.explanation}
