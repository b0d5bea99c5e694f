"""QA in the console, signed in: the reviewer's queue and form, the person's results and
dispute, the lead's settling and sampling plans; refusals shown on the page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.quality.models import QaItem, QaPlan
from tests.conftest import Browser, Person
from tests.quality.test_qa_flow import desk  # noqa: F401  (the fixture)


def _post(browser: Browser, path: str, data: dict[str, Any] | list[tuple[str, str]]) -> Any:
    pairs = list(data.items()) if isinstance(data, dict) else data
    form: dict[str, list[str]] = {"csrf_token": [browser.csrf]}
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return browser.client.post(path, data=form, follow_redirects=False)


def test_review_dispute_and_settle_in_the_console(db: Database, desk: dict[str, Any],  # noqa: F811
                                                  sign_in: Callable[..., Browser]) -> None:
    quinn, ben, mia = sign_in(desk["quinn"]), sign_in(desk["ben"]), sign_in(desk["mia"])
    page = quinn.client.get("/qa").text
    assert "Waiting and in review (4)" in page and "Decided by" not in page  # blind
    with db.session() as s:
        bens = list(s.scalars(select(QaItem.id).where(
            QaItem.person_id == desk["ben"].user.id).order_by(QaItem.id)))
    item = bens[0]
    page = quinn.client.get(f"/qa/items/{item}").text
    assert "Record the verdict" in page and "Wrong action on the content" in page
    refused = _post(quinn, f"/qa/items/{item}/review", [("error", "made_up")])
    assert refused.status_code == 422, refused.text[-1500:]
    assert "is not an error category of this form" in refused.text
    done = _post(quinn, f"/qa/items/{item}/review",
                 [("error", "wrong_action"), ("severity-wrong_action", "critical"),
                  ("note-wrong_action", "The review describes a visit."),
                  ("feedback", "Read the whole review before removing it.")])
    assert done.status_code == 303, done.text
    # Ben reads the verdict and the feedback, and disputes it.
    mine = ben.client.get("/qa/mine").text
    assert "0.0 %" in mine and "not correct (0)" in mine
    page = ben.client.get(f"/qa/items/{item}").text
    assert "Read the whole review before removing it." in page and "Dispute this verdict" in page
    assert "Record the verdict" not in page
    empty = _post(ben, f"/qa/items/{item}/dispute", {"reason": "  "})
    assert empty.status_code == 422 and "Reason: this field is required." in empty.text
    assert _post(ben, f"/qa/items/{item}/dispute",
                 {"reason": "It was a visit, the guideline allows it."}).status_code == 303
    # Mia settles: the verdict changes, Ben's accuracy with it.
    assert str(item) in mia.client.get("/qa/disputes").text
    page = mia.client.get(f"/qa/items/{item}").text
    assert "Settle the dispute" in page
    assert _post(mia, f"/qa/items/{item}/settle",
                 {"settlement": "changed", "note": "The guideline allows it."}).status_code == 303
    page = ben.client.get(f"/qa/items/{item}").text
    assert "Settled: verdict changed" in page and re.search(r"<strong>Correct</strong>", page)
    assert "100.0 %" in ben.client.get("/qa/mine").text


def test_sampling_plans_in_the_console(db: Database, desk: dict[str, Any],  # noqa: F811
                                       sign_in: Callable[..., Browser],
                                       make_person: Callable[..., Person]) -> None:
    mia = sign_in(desk["mia"])
    assert "All of Acme" in mia.client.get("/qa/plans").text
    bad = _post(mia, "/qa/plans", {"name": "Tenth", "rule": "share", "share": "150"})
    assert bad.status_code == 422 and "a share plan needs a share above 0" in bad.text
    assert 'value="Tenth"' in bad.text  # what was typed stays
    assert _post(mia, "/qa/plans", [("name", "Illegal content"), ("rule", "category"),
                                    ("categories", "harmful_illegal")]).status_code == 303
    with db.session() as s:
        plan = s.scalar(select(QaPlan).where(QaPlan.name == "Illegal content"))
        assert plan and plan.categories == ["harmful_illegal"] and plan.active
    assert _post(mia, f"/qa/plans/{plan.id}/active", {}).status_code == 303
    with db.session() as s:
        assert s.get(QaPlan, plan.id).active is False
    drawn = _post(mia, "/qa/draw", {})
    assert drawn.status_code == 303 and "nothing+to+draw" in drawn.headers["location"]
    agent = sign_in(make_person("agent"))
    assert agent.client.get("/qa").status_code == 403
    assert agent.client.get("/qa/plans").status_code == 403
    assert 'href="/qa/mine"' in agent.client.get("/qa/mine").text


def test_the_review_page_shows_the_sop_the_case_was_worked_under(
        db: Database, desk: dict[str, Any], sign_in: Callable[..., Browser]) -> None:  # noqa: F811
    from integrity_desk.people.models import User
    from integrity_desk.people.service import actor_of
    from integrity_desk.sops import service as sops
    from integrity_desk.sops.service import ItemInput
    from tests.kpis.test_figures import at

    quinn = sign_in(desk["quinn"])
    with db.session() as s:
        item = s.scalar(select(QaItem.id).order_by(QaItem.id))
    assert "had no SOP when it was opened" in quinn.client.get(f"/qa/items/{item}").text
    with db.session() as s:
        mia = s.get(User, desk["mia"].user.id)
        sops.publish(s, "flag", title="Flags playbook", body="Check first.",
                     items=[ItemInput("history", "Checked the reviewer's history")],
                     note="first", actor=actor_of(mia), now=at(20, 0))
    page = quinn.client.get(f"/qa/items/{item}").text
    assert "SOP: Flags playbook, version 1" in page
    assert "✗ not done: Checked the reviewer&#39;s history" in page
