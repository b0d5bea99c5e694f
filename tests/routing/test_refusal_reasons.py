"""A refused case says which rule refused it: the tier, the language, the team, the legal
restriction, or who claimed it first — not "role, team, tier, language or legal restriction"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from integrity_desk.cases.models import Case
from integrity_desk.people.models import User
from integrity_desk.routing.service import language_name, why_not_work
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"


def _user(**over: Any) -> User:
    values = {"role": "specialist", "max_tier": 2, "languages": ["en", "de"], "team_id": None,
              "email": "sam@desk.example.com"} | over
    return User(**values)


def _case(**over: Any) -> Case:
    values = {"id": 3, "kind": "flag", "tier": 1, "language": "en",
              "legal_restricted": False} | over
    return Case(**values)


@pytest.mark.parametrize("user, case, team, expected", [
    (_user(), _case(tier=3), None, "FLG-3 is a tier 3 case; you work cases up to tier 2"),
    (_user(), _case(language="pl"), None, "Polish is not one of your languages (English, German)"),
    (_user(), _case(legal_restricted=True), None, "FLG-3 is legal-restricted"),
    (_user(role="agent", team_id=7), _case(), 8, "FLG-3 is not in a queue of your team"),
    (_user(role="agent", team_id=None), _case(), 8, "you are in no team"),
    (_user(role="viewer"), _case(), None, "a viewer reads cases and does not work them"),
    (_user(role="legal"), _case(), None, "counsel works legal notices"),
])
def test_the_rule_that_refuses_is_named(user: User, case: Case, team: int | None,
                                        expected: str) -> None:
    assert why_not_work(user, case, queue_team_id=team).startswith(expected)


def test_language_names() -> None:
    assert (language_name("pl"), language_name("de-AT"), language_name("xx")) == (
        "Polish", "German", "xx")


def test_the_api_says_who_claimed_first_and_which_rule_refuses(
        client: Any, make_person: Callable[..., Person]) -> None:
    ana, ben = make_person("specialist"), make_person("specialist", languages=["de"])
    key = client.post(f"{API}/cases", json=f.flag("r-claim"), headers=ana.headers).json()[
        "case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=ana.headers).status_code == 200
    again = make_person("specialist")
    r = client.post(f"{API}/cases/{key}/claim", headers=again.headers)
    assert r.status_code == 409
    assert f"{ana.user.name} claimed it first" in r.json()["error"]["message"]
    r = client.post(f"{API}/cases/{key}/claim", headers=ben.headers)
    assert r.status_code == 403
    assert "English is not one of your languages (German)" in r.json()["error"]["message"]


def test_giving_a_case_to_someone_names_them() -> None:
    assert why_not_work(_user(name="Sam Lee"), _case(tier=3), queue_team_id=None,
                        who="Sam Lee").startswith(
        "FLG-3 is a tier 3 case; Sam Lee works cases up to tier 2")
    assert why_not_work(_user(), _case(language="pl"), queue_team_id=None,
                        who="Sam Lee").startswith("Polish is not one of Sam Lee's languages")
