"""Signed links for people outside the desk: the appeal link a decision notice carries, and
the confirmation page a form ends on.

An appeal link names the decision, who was told of it (the notifier, or the reviewer or
business affected) and when: the form can then check who may appeal and the 6-month window
(DSA Art. 20(1)) without a login. Signed with itsdangerous (HMAC-SHA1 over a timestamped,
salted payload) under ``IDESK_SECRET_KEY``: changing a byte, or the key, invalidates it; it
expires ``IDESK_APPEAL_LINK_DAYS`` after it was made (longer than the window, so the window's
own message is the one people see when they are late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from integrity_desk.settings import Settings, get_settings

APPEAL_SALT = "idesk.appeal-link.v1"
RECEIPT_SALT = "idesk.form-receipt.v1"
RECEIPT_DAYS = 7
APPELLANT_ROLES = ("notifier", "reviewer", "business")


class LinkInvalid(ValueError):
    """A forged or damaged link (reason "invalid"), or an expired one ("expired")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AppealLink:
    decision_id: int
    case_id: int
    role: str  # notifier | reviewer | business
    informed_at: datetime


def _serializer(settings: Settings, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=salt)


def appeal_token(*, decision_id: int, case_id: int, role: str, informed_at: datetime,
                 settings: Settings | None = None) -> str:
    if role not in APPELLANT_ROLES:
        raise ValueError(f"no appeal link for {role!r}")
    return _serializer(settings or get_settings(), APPEAL_SALT).dumps(
        {"d": decision_id, "c": case_id, "r": role, "i": informed_at.isoformat()})


def appeal_url(*, decision_id: int, case_id: int, role: str, informed_at: datetime,
               settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    token = appeal_token(decision_id=decision_id, case_id=case_id, role=role,
                         informed_at=informed_at, settings=settings)
    return f"{settings.public_base_url.rstrip('/')}/appeal?t={token}"


def read_appeal_token(token: str, *, settings: Settings) -> AppealLink:
    data = _load(token, settings, APPEAL_SALT, settings.appeal_link_days * 86_400)
    try:
        link = AppealLink(int(data["d"]), int(data["c"]), str(data["r"]),
                          datetime.fromisoformat(data["i"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid("invalid") from exc
    if link.role not in APPELLANT_ROLES or link.informed_at.tzinfo is None:
        raise LinkInvalid("invalid")
    return link


def receipt_token(data: dict[str, Any], *, settings: Settings) -> str:
    return _serializer(settings, RECEIPT_SALT).dumps(data)


def read_receipt_token(token: str, *, settings: Settings) -> dict[str, Any]:
    data = _load(token, settings, RECEIPT_SALT, RECEIPT_DAYS * 86_400)
    if not isinstance(data, dict):
        raise LinkInvalid("invalid")
    return data


def _load(token: str, settings: Settings, salt: str, max_age: int) -> Any:
    if not token or len(token) > 2000:
        raise LinkInvalid("invalid")
    try:
        return _serializer(settings, salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkInvalid("expired") from exc
    except BadSignature as exc:
        raise LinkInvalid("invalid") from exc
