"""Signing secrets: made, shown once, stored encrypted.

HMAC needs the secret itself at signing time, so a one-way hash (as for API tokens) cannot
work; the secret is encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``)
under a key kept out of the database: ``IDESK_WEBHOOK_KEYS`` (comma-separated Fernet keys, the
first encrypts, all decrypt — so keys can be rotated), or one derived from
``IDESK_SECRET_KEY`` when that is unset. A database dump alone does not reveal any secret.
"""

from __future__ import annotations

import base64
import hashlib
import secrets as stdlib_secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from integrity_desk.settings import Settings

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + stdlib_secrets.token_urlsafe(32)


def hint(secret: str) -> str:
    return f"{PREFIX}…{secret[-4:]}"


@lru_cache(maxsize=8)
def _fernet(keys: str, server_key: str) -> MultiFernet:
    given = [k.strip() for k in keys.split(",") if k.strip()]
    if not given:
        derived = hashlib.sha256(b"idesk-webhook-secrets:" + server_key.encode()).digest()
        given = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(k) for k in given])


def encrypt(secret: str, settings: Settings) -> str:
    return _fernet(settings.webhook_keys, settings.secret_key).encrypt(secret.encode()).decode()


class SecretUnreadable(RuntimeError):
    pass


@lru_cache(maxsize=1024)
def _decrypt(ciphertext: str, keys: str, server_key: str) -> str:
    try:
        return _fernet(keys, server_key).decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "the webhook secret cannot be decrypted with IDESK_WEBHOOK_KEYS (was a key "
            "removed?); rotate the subscription's secret") from exc


def decrypt(ciphertext: str, settings: Settings) -> str:
    return _decrypt(ciphertext, settings.webhook_keys, settings.secret_key)
