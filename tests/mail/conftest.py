"""An SMTP intake server on a free port, in this process, over the test's database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from integrity_desk.db import Database
from integrity_desk.mail.service import MailPolicy
from integrity_desk.mail.smtp import controller
from integrity_desk.settings import Settings
from tests.smtp_sink import free_port

MAIL_SETTINGS: dict[str, Any] = dict(
    secret_key="test-secret", mail_from="Integrity Desk <desk@desk.example>",
    mail_reply_address="replies@desk.example", mail_max_bytes=200_000,
    mail_max_attachments=3, mail_rate_per_sender="20/minute")


@pytest.fixture
def mail_settings() -> Settings:
    return Settings(**MAIL_SETTINGS)


@pytest.fixture
def smtp_server(db: Database) -> Iterator[Callable[..., int]]:
    """Start a server with settings overridden as asked; returns its port."""
    started: list[Any] = []

    def start(**overrides: Any) -> int:
        policy = MailPolicy.from_settings(Settings(**(MAIL_SETTINGS | overrides)))
        port = free_port()
        server = controller(db, policy, host="127.0.0.1", port=port)
        server.start()
        started.append(server)
        return port

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def imap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A private Dovecot with one mailbox (user desk), stopped after the test."""
    from tests.mail import dovecot

    root = tmp_path_factory.mktemp("dovecot")
    _, mailbox = dovecot.start(root)
    yield mailbox
    dovecot.stop(root)
