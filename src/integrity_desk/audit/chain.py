"""Hashing rules of the timeline: pure functions, so verification needs nothing but the rows."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


# One encoder for every event: json.dumps with options builds a new one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              default=str)


def canonical_json(payload: dict[str, Any]) -> str:
    return _CANONICAL.encode(payload)


def event_hash(
    *,
    prev_hash: str,
    chain_key: str,
    seq: int,
    case_id: int | None,
    actor_id: int | None,
    actor_label: str,
    kind: str,
    category: str,
    occurred_at: datetime,
    payload: str,
) -> str:
    material = "\x1f".join(
        [
            prev_hash,
            chain_key,
            str(seq),
            "" if case_id is None else str(case_id),
            "" if actor_id is None else str(actor_id),
            actor_label,
            kind,
            category,
            occurred_at.isoformat(timespec="microseconds"),
            payload,
        ]
    )
    return hashlib.sha256(material.encode()).hexdigest()


def heads_digest(heads: list[tuple[str, int, str]]) -> str:
    """Digest over every chain head, in chain-key order."""
    h = hashlib.sha256()
    for chain_key, seq, head in sorted(heads):
        h.update(f"{chain_key}\x1f{seq}\x1f{head}\n".encode())
    return h.hexdigest()


def sign(secret: str, digest: str) -> str:
    return hmac.new(secret.encode(), digest.encode(), hashlib.sha256).hexdigest()
