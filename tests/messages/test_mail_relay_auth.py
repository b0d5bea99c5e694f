"""The relay URL's STARTTLS, private CA and login, against a real aiosmtpd server that insists
on TLS before AUTH: the URL-decoded password signs in, a wrong one is a retry (the relay's
fault, not the letter's), and nothing is sent in the clear."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.settings import Settings
from tests.messages.conftest import make_cases, queue_letters
from tests.smtp_sink import Inbox, free_port

USER, PASSWORD = "desk@relay.example", "p:ss/w@rd"


def _certificate(tmp: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: the test's private CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relay.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "relay.pem", tmp / "relay.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  auth_data: Any) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_relay(tmp_path: Path) -> Iterator[tuple[Inbox, Path]]:
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Inbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port, tls_context=context,
                            require_starttls=True, authenticator=_authenticate,
                            auth_required=True, auth_require_tls=True)
    controller.start()
    yield box, cert
    controller.stop()


def _deliver(db: Database, url: str) -> dict[str, int]:
    from integrity_desk.messages.delivery import deliver_due

    settings = Settings(secret_key="test-secret", smtp_url=url,
                        mail_from="Desk <desk@desk.example>", mail_timeout_seconds=5)
    with db.session() as s:
        return deliver_due(s, settings=settings, budget=20)


def test_starttls_and_login_with_a_url_encoded_password(
        db: Database, tls_relay: tuple[Inbox, Path]) -> None:
    box, cert = tls_relay
    queue_letters(db, make_cases(db, 2), per_case=2)
    base = f"127.0.0.1:{box.port}?starttls=1&cafile={cert}"
    wrong = _deliver(db, f"smtp://desk%40relay.example:wrong@{base}")
    assert (wrong["sent"], wrong["retry"], wrong["dead"]) == (0, 4, 0)
    with db.session() as s:
        errors = set(s.scalars(select(OutboxMessage.last_error)))
    assert any("535" in (e or "") for e in errors), errors  # refused login: tried again later
    assert box.received == []
    with db.session() as s:
        for row in s.scalars(select(OutboxMessage)):
            row.next_attempt_at = row.created_at
    right = _deliver(db, f"smtp://desk%40relay.example:p%3Ass%2Fw%40rd@{base}")
    assert right["sent"] == 4 and len(box.received) == 4


def test_an_untrusted_certificate_is_not_sent_to(
        db: Database, tls_relay: tuple[Inbox, Path]) -> None:
    box, _ = tls_relay
    queue_letters(db, make_cases(db, 1))
    counts = _deliver(db, f"smtp://desk%40relay.example:p%3Ass%2Fw%40rd@127.0.0.1:{box.port}"
                          "?starttls=1")
    assert counts["retry"] == 1 and box.received == []
    with db.session() as s:
        [error] = s.scalars(select(OutboxMessage.last_error))
    assert "CERTIFICATE_VERIFY_FAILED" in (error or "") or "SSL" in (error or ""), error
