"""An appeal by e-mail: the requester of the decided case appeals through the API's own intake;
a stranger naming the same case key opens a case marked needs completion, no appeal."""

from __future__ import annotations

import smtplib

from sqlalchemy import select

from integrity_desk.cases.models import Case
from tests import factories as f
from tests.helpers import decide_no_action
from tests.mail.letters import letter

API = "/api/v1"


def _decided(client, manager) -> str:
    r = client.post(f"{API}/cases", headers=manager.headers, json=f.flag("ap-1"))
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    for path, body in (("assign", {"assignee": manager.user.email}),
                       ("transition", {"action": "start"})):
        assert client.post(f"{API}/cases/{key}/{path}", headers=manager.headers,
                           json=body).status_code == 200
    assert decide_no_action(client, manager, key).status_code == 201
    return key


def test_the_requester_appeals_and_a_stranger_needs_checking(db, client, manager,
                                                           smtp_server):
    key = _decided(client, manager)
    port = smtp_server()
    grounds = f"I appeal the decision on {key}: the review is paid for, see the invoice."
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(letter(to="appeals@desk.example", sender="owner@shop.example.com",
                                 subject=f"Appeal {key}", body=grounds, attachments=[]))
        smtp.send_message(letter(to="appeals@desk.example", sender="someone@else.example",
                                 subject=f"Appeal {key}", body=grounds, attachments=[]))
    with db.session() as session:
        appeals = session.scalars(select(Case).where(Case.kind == "appeal")
                                  .order_by(Case.id)).all()
    assert len(appeals) == 2
    real, stranger = appeals
    assert real.details.get("missing") is None, real.details
    assert real.details["contested_case"] == key and "needs-completion" not in real.tag_list
    assert real.channel == "email" and real.requester_contact == "owner@shop.example.com"
    assert "needs-completion" in stranger.tag_list
    assert any(m.startswith("appellant: someone@else.example is not a requester")
               for m in stranger.details["missing"])
    assert "contested_case" not in stranger.details
