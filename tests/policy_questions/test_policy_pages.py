"""Policy questions in the console: asked from the case view's fragment, listed for Policy
with the counts per guideline, answered with a new guideline version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.decisions.models import Guideline
from tests.conftest import Browser, Person
from tests.policy_questions.test_policy_questions import _case


def _post(browser: Browser, path: str, data: dict[str, str]) -> Any:
    return browser.client.post(path, data={**data, "csrf_token": browser.csrf},
                               follow_redirects=False)


def test_ask_from_the_case_and_answer_with_a_new_version(
        db: Database, client: Any, make_person: Callable[..., Person],
        sign_in: Callable[..., Browser]) -> None:
    sam_p, priya_p = make_person("specialist"), make_person("policy")
    key = _case(client, sam_p)
    sam, priya = sign_in(sam_p), sign_in(priya_p)
    assert 'hx-get="/cases/' + key + '/policy-questions"' in sam.client.get(
        f"/cases/{key}").text
    fragment = sam.client.get(f"/cases/{key}/policy-questions").text
    assert "No question to Policy from this case" in fragment and "Ask Policy" in fragment
    refused = _post(sam, f"/cases/{key}/policy-questions",
                    {"reason": "unclear", "guideline": "", "question": "Which one?"})
    assert refused.status_code == 422 and "name the guideline" in refused.text
    asked = _post(sam, f"/cases/{key}/policy-questions",
                  {"reason": "new_pattern", "guideline": "incentivised",
                   "question": "Vouchers sent after the review: incentivised?"})
    assert asked.status_code == 303
    assert "Vouchers sent after the review" in sam.client.get(
        f"/cases/{key}/policy-questions").text
    page = priya.client.get("/policy-questions").text
    assert "Vouchers sent after the review" in page and "Where guidance is weakest" in page
    assert "Where guidance is weakest" not in sam.client.get("/policy-questions").text
    qid = page.split('href="/policy-questions/')[1].split('"')[0]
    form = priya.client.get(f"/policy-questions/{qid}").text
    assert "Publish a new version of" in form
    done = _post(priya, f"/policy-questions/{qid}/answer",
                 {"answer": "Yes, when the voucher depends on the review.", "publish": "1",
                  "new_guideline_text": "A reward given for a review, before or after it, "
                                        "makes it incentivised."})
    assert done.status_code == 303, done.text
    with db.session() as s:
        latest = s.scalar(select(Guideline).where(Guideline.code == "incentivised",
                                                  Guideline.is_current))
        assert latest and latest.version == 2 and latest.text.startswith("A reward given")
    answered = sam.client.get(f"/policy-questions/{qid}").text
    assert "Yes, when the voucher depends on the review." in answered
    assert "published a new version" in answered
    assert _post(sam, f"/policy-questions/{qid}/answer", {"answer": "x"}).status_code == 403
