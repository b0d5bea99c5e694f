"""The console reads its forms into the API's schemas: one set of rules for a reason, a comment,
a merge target, and one way of saying what is wrong (web.forms.checked)."""

from __future__ import annotations

from typing import Any

import pytest

from integrity_desk.cases.schemas import CommentIn, EscalateIn, MergeIn, Reason
from integrity_desk.dsa.schemas import FlaggerIn
from integrity_desk.web import forms
from integrity_desk.web.errors import PageError
from tests import factories as f

API = "/api/v1"


def _refusal(schema: type[Any], values: dict[str, Any], **kw: Any) -> str:
    with pytest.raises(PageError) as caught:
        forms.checked(schema, values, **kw)
    assert caught.value.status_code == 422
    return caught.value.message


def test_the_schema_strips_and_an_empty_optional_reason_is_no_reason() -> None:
    assert forms.checked(Reason, {"reason": "  because  "}).reason == "because"
    assert forms.checked(Reason, {"reason": "   "}).reason is None
    assert forms.checked(MergeIn, {"into": " flg-2 ", "reason": "same"}).into == "flg-2"


def test_each_complaint_names_the_field_in_the_forms_words() -> None:
    assert _refusal(EscalateIn, {"reason": "   "}) == "Reason: this field is required."
    assert _refusal(EscalateIn, {}) == "Reason: this field is required."
    assert _refusal(EscalateIn, {"reason": "x" * 5_001}) == "Reason: at most 5,000 characters."
    assert _refusal(EscalateIn, {"reason": "a\x00b"}) == (
        "Reason: contains a character the desk cannot store.")
    assert _refusal(CommentIn, {"body": ""}, labels={"body": "Comment"}) == (
        "Comment: this field is required.")
    assert _refusal(MergeIn, {"into": "", "reason": "r"}, labels={"into": "Merge into"}) == (
        "Merge into: this field is required.")
    # An item of a list is the list's field.
    message = _refusal(FlaggerIn, {"name": "N", "country": "DE", "coordinator": "c",
                                   "areas": ["no_such_area"]})
    assert message.startswith("Areas: "), message


def test_the_api_holds_the_same_rules(client: Any, manager: Any) -> None:
    r = client.post(f"{API}/cases", json=f.flag(), headers=manager.headers)
    key = r.json()["case"]["key"]
    r = client.post(f"{API}/cases/{key}/escalate", json={"reason": "   "},
                    headers=manager.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "reason"
    r = client.post(f"{API}/cases/{key}/comments", json={"body": "  seen it  "},
                    headers=manager.headers)
    assert r.status_code == 201, r.text
    timeline = client.get(f"{API}/cases/{key}/timeline", headers=manager.headers).json()
    comments = [e for e in timeline["items"] if e["kind"] == "comment"]
    assert [c["payload"]["body"] for c in comments] == ["seen it"]
