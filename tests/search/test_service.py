"""search.service on both databases: each kind of query, ranking, comments, vendor isolation,
the index following every write, and masked contact details that stay unsearchable."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, update

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.errors import InvalidInput
from integrity_desk.people.models import User
from integrity_desk.search import service
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _open(client: Any, person: Person, body: dict[str, Any]) -> str:
    return _ok(client.post(f"{API}/cases", json=body, headers=person.headers), 201)["case"]["key"]


def _find(db: Database, person: Person, q: str, **kw: Any) -> service.SearchResult:
    with db.session() as session:
        user = session.get(User, person.user.id)
        return service.search(session, user, q, **kw)


def _keys(db: Database, person: Person, q: str) -> list[str]:
    return [h.key for h in _find(db, person, q).hits]


@pytest.fixture
def desk(client: Any, manager: Person) -> dict[str, str]:
    inv = _open(client, manager, f.investigation(
        title="Hotel Aurora review ring", description="Twelve 5-star reviews for the hotel "
        "from accounts made the same day; contact ring.leader@mail.example.com or "
        "+45 12 34 56 78.", business_domains=["aurora-hotel.example.com"],
        reviews=[{"ref": "r-aurora-1"}], reviewer_refs=["u-ring-1"]))
    flag = _open(client, manager, f.flag("r-bakery-9", title="Bakery refund complaint",
                                         reason="The bakery paid for this review with a refund."))
    legal = _open(client, manager, f.legal())
    csm = _open(client, manager, f.csm("dentist.example.com", title="Dentist asks about the hotel",
                                       description="Unrelated to the ring."))
    return {"inv": inv, "flag": flag, "legal": legal, "csm": csm}


def test_a_case_key_is_that_case(db: Database, desk: dict[str, str], manager: Person) -> None:
    result = _find(db, manager, desk["flag"].lower())
    assert [h.key for h in result.hits] == [desk["flag"]] and result.jump_to == desk["flag"]
    assert result.hits[0].matched == "key"
    missing = _find(db, manager, "FLG-999999")
    assert missing.hits == [] and missing.jump_to is None and missing.recognised == [
        "case FLG-999999"]


def test_review_id_and_url_business_and_reviewer(db: Database, desk: dict[str, str],
                                                 manager: Person) -> None:
    assert _keys(db, manager, "r-bakery-9") == [desk["flag"]]
    assert _keys(db, manager, "review:r-aurora-1") == [desk["inv"]]
    assert _keys(db, manager, "https://reviews.example.com/reviews/r-aurora-1") == [desk["inv"]]
    assert _keys(db, manager, "https://reviews.example.com/reviews/r77") == [desk["legal"]]
    assert _keys(db, manager, "aurora-hotel.example.com") == [desk["inv"]]
    assert _keys(db, manager, "https://www.aurora-hotel.example.com/rooms") == [desk["inv"]]
    assert _keys(db, manager, "reviewer:u-ring-1") == [desk["inv"]]
    hit = _find(db, manager, "u-ring-1").hits[0]
    assert (hit.key, hit.matched, hit.label) == (desk["inv"], "reviewer", "reviewer u-ring-1")


def test_a_reviewer_or_business_finds_the_cases_about_their_reviews(
        db: Database, desk: dict[str, str], manager: Person) -> None:
    """The flag on review r-bakery-9 names the review, not its author u1 or its business:
    a search for either still finds it, saying why."""
    assert _keys(db, manager, "reviewer:u1") == [desk["flag"]]
    hit = _find(db, manager, "reviewer:u1").hits[0]
    assert (hit.matched, hit.label) == ("reviewer", "a review by reviewer u1")
    assert _keys(db, manager, "shop.example.com") == [desk["flag"]]
    assert _find(db, manager, "shop.example.com").hits[0].label == (
        "a review of business shop.example.com")
    # Where the account itself is a subject, that hit comes first and once.
    assert _keys(db, manager, "reviewer:u-ring-1") == [desk["inv"]]


def test_requester_organisation_exact_or_prefix(db: Database, desk: dict[str, str],
                                               manager: Person) -> None:
    assert _keys(db, manager, "org:counsel & co") == [desk["legal"]]
    hit = _find(db, manager, "Counsel").hits[0]
    assert (hit.key, hit.matched, hit.label) == (desk["legal"], "organisation", "Counsel & Co")
    assert _keys(db, manager, "org:counsel_") == []  # LIKE wildcards are literal


def test_free_text_ranks_titles_over_descriptions(db: Database, desk: dict[str, str],
                                                  manager: Person) -> None:
    keys = _keys(db, manager, "hotel")
    assert keys[:2] == [desk["inv"], desk["csm"]] or set(keys[:2]) == {desk["inv"], desk["csm"]}
    ring = _keys(db, manager, "ring")
    assert ring[0] == desk["inv"]  # in the title and the description, before the CSM case
    assert set(ring) == {desk["inv"], desk["csm"]}
    assert _keys(db, manager, '"review ring"') == [desk["inv"]]
    assert _keys(db, manager, "hotel -dentist") == [desk["inv"]]
    assert set(_keys(db, manager, "bakery or dentist")) == {desk["flag"], desk["csm"]}
    assert _keys(db, manager, "zeppelin") == []


def test_a_hit_shows_where_it_matched_escaped_and_masked(db: Database, desk: dict[str, str],
                                                         manager: Person) -> None:
    hit = _find(db, manager, "accounts").hits[0]
    assert hit.key == desk["inv"] and hit.matched == "text"
    assert hit.snippet is not None and ("accounts", True) in hit.snippet
    shown = "".join(t for t, _ in hit.snippet)
    assert "ring.leader@" not in shown and "12 34 56 78" not in shown


def test_contact_details_are_never_searchable(db: Database, desk: dict[str, str],
                                              manager: Person) -> None:
    for q in ("leader", "mail.example.com", "56 78", "45"):
        assert desk["inv"] not in _keys(db, manager, q), q
    for q in ("ring.leader@mail.example.com", "+45 12 34 56 78"):
        with pytest.raises(InvalidInput) as refused:
            _find(db, manager, q)
        assert refused.value.field == "q"
    # The requester's own contact is not in the free text either.
    assert _keys(db, manager, "jane") == [] and _keys(db, manager, "lawfirm") == []


def test_comments_are_found(client: Any, db: Database, desk: dict[str, str],
                            manager: Person) -> None:
    _ok(client.post(f"{API}/cases/{desk['flag']}/comments", headers=manager.headers,
                    json={"body": "Checked the receipts: the croissant order is genuine."}), 201)
    hit = _find(db, manager, "croissant").hits[0]
    assert (hit.key, hit.matched) == (desk["flag"], "comment")
    assert hit.snippet and ("croissant", True) in hit.snippet
    # A word in the case text and a comment: listed once, as a text hit.
    _ok(client.post(f"{API}/cases/{desk['inv']}/comments", headers=manager.headers,
                    json={"body": "The hotel answered."}), 201)
    assert _keys(db, manager, "hotel").count(desk["inv"]) == 1


def test_the_index_follows_updates_and_deletes(client: Any, db: Database, desk: dict[str, str],
                                               manager: Person) -> None:
    case_id = int(desk["flag"].split("-")[1])
    with db.session() as session:
        session.execute(update(Case).where(Case.id == case_id).values(
            title="Patisserie refund complaint", description="now about a patisserie"))
    assert _keys(db, manager, "patisserie") == [desk["flag"]]
    assert desk["flag"] not in _keys(db, manager, "bakery")
    _ok(client.post(f"{API}/cases/{desk['flag']}/comments", headers=manager.headers,
                    json={"body": "macaron"}), 201)
    assert _keys(db, manager, "macaron") == [desk["flag"]]
    with db.session() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.category == "comment"))
    assert _keys(db, manager, "macaron") == []
    with db.session() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.case_id == case_id))
        session.execute(delete(Case).where(Case.id == case_id))
        assert session.scalar(select(Case.id).where(Case.id == case_id)) is None
    assert _keys(db, manager, "patisserie") == []


def test_vendor_agents_find_only_their_queues(client: Any, db: Database, make_team: Any,
                                              make_person: Any, manager: Person) -> None:
    teams = {}
    for slug, team, language in (("flags-a", "Vendor A", "en"), ("flags-b", "Vendor B", "de")):
        teams[team] = make_team(team, kind="vendor")
        _ok(client.post(f"{API}/queues", headers=manager.headers, json={
            "slug": slug, "name": slug, "team": team, "kinds": ["flag"], "tier": 1,
            "languages": [language], "position": 1}), 201)
    keys = {}
    for name, ref, language in (("a", "ra-1", "en"), ("b", "rb-1", "de")):
        body = f.flag(ref, language=language, reason="zebra review is fake",
                      title=f"zebra case {name}")
        body["review"]["language"] = language
        keys[name] = _open(client, manager, body)
    _ok(client.post(f"{API}/cases/{keys['b']}/comments", headers=manager.headers,
                    json={"body": "okapi sighting"}), 201)
    agent_a = make_person("agent", team=teams["Vendor A"])
    assert _keys(db, agent_a, "zebra") == [keys["a"]]
    assert _keys(db, agent_a, "okapi") == []
    assert _keys(db, agent_a, "rb-1") == [] and _keys(db, agent_a, keys["b"]) == []
    assert _find(db, agent_a, keys["b"]).jump_to is None
    assert set(_keys(db, manager, "zebra")) == {keys["a"], keys["b"]}


def test_legal_cases_stay_with_legal(db: Database, desk: dict[str, str], manager: Person,
                                     specialist: Person, make_person: Any) -> None:
    assert desk["legal"] not in _keys(db, specialist, "Counsel")
    assert _keys(db, make_person("legal"), "Counsel") == [desk["legal"]]


def test_paging_is_capped_and_bad_queries_name_q(client: Any, db: Database,
                                                 manager: Person) -> None:
    for i in range(7):
        _open(client, manager, f.investigation(title=f"walrus {i}", reviews=[{"ref": f"w{i}"}]))
    first = _find(db, manager, "walrus", per_page=5)
    second = _find(db, manager, "walrus", per_page=5, page=2)
    assert len(first.hits) == 5 and first.has_more
    assert len(second.hits) == 2 and not second.has_more
    assert not {h.key for h in first.hits} & {h.key for h in second.hits}
    for q in ("", "   ", "x" * 201):
        with pytest.raises(InvalidInput) as bad:
            _find(db, manager, q)
        assert bad.value.field == "q"
    with pytest.raises(InvalidInput) as bad:
        _find(db, manager, "walrus", page=21)
    assert bad.value.field == "page"
