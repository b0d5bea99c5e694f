"""A notice that joined an open case shows in that case's view in full, and is confirmed to
its sender under its own receipt number (DSA Art. 16(4) holds for each notice)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.messages.models import OutboxMessage
from tests import factories as f
from tests.conftest import Browser, Person
from tests.dsa.test_trusted_flaggers import _register

API = "/api/v1"


def test_a_joined_notice_is_shown_in_full_and_confirmed_on_its_own(
        client: Any, db: Database, manager: Person, sign_in: Callable[..., Browser]) -> None:
    _register(client, manager)
    first = client.post(f"{API}/cases", headers=manager.headers, json=f.trusted_flagger(
        reviews=[{"ref": "r-tf-1"}]))
    assert first.status_code == 201, first.text
    key = first.json()["case"]["key"]
    again = client.post(f"{API}/cases", headers=manager.headers, json=f.trusted_flagger(
        reviews=[{"ref": "r-tf-1"}], explanation="A second wave of the same campaign.",
        contact={"name": "Tom Second", "email": "tom@cwe.example.org"}, tags=["art16"]))
    assert again.status_code == 200 and again.json()["case"]["key"] == key, again.text
    receipt = again.json()["receipt"]
    with db.session() as s:
        letters = {m.idempotency_key: m for m in s.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "receipt"))}
    joined = letters[f"receipt:request:{receipt}"]
    assert joined.recipient == "tom@cwe.example.org" and "Tom Second" in joined.body
    assert len(letters) == 2  # the first notice's and the second's

    page = sign_in(manager).client.get(f"/cases/{key}").text
    section = page.split('id="case-linked"')[1].split("</section>")[0]
    assert "Further requests (1)" in section
    assert "A second wave of the same campaign." in section
    assert receipt in section and "confirmation queued" in section
    assert '<span class="tag">art16</span>' in section
    assert "tom@cwe.example.org" not in page  # contacts stay masked
