"""The Teams and Vendors pages: a manager adds teams and vendors, sets a vendor's contract and
weekly commitments by forms (CSRF-checked), refused in the form's words; others are refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database
from integrity_desk.people import vendors
from integrity_desk.people.models import Team, Vendor


def _vendor(db: Database, name: str) -> Vendor | None:
    with db.session() as s:
        vendor = s.scalar(select(Vendor).where(Vendor.name == name))
        if vendor is not None:
            vendor.contracts_seen = [  # type: ignore[attr-defined]
                (c.starts_on.isoformat(), c.ends_on, c.qa_accuracy,
                 [m.weekly_volume for m in c.commitments])
                for c in vendors.contracts(s, vendor.id)]
            s.expunge(vendor)
        return vendor


def test_a_manager_adds_a_vendor_and_sets_its_contract(sign_in: Any, manager: Any,
                                                       db: Database) -> None:
    browser = sign_in(manager)
    page = browser.client.get("/vendors")
    assert page.status_code == 200 and 'href="/vendors" aria-current="page"' in page.text
    form = {"csrf_token": browser.csrf, "name": "Atlas", "languages": "pt, de",
            "time_zone": "Europe/Lisbon", "coverage_mon": "08:00-12:00, 13:00-20:00"}
    bad = browser.client.post("/vendors", data=form | {"coverage_tue": "20:00-08:00"})
    assert bad.status_code == 422 and "start comes before the end" in bad.text
    assert _vendor(db, "Atlas") is None
    bad = browser.client.post("/vendors", data=form | {"coverage_wed": "morning"})
    assert bad.status_code == 422 and "08:00-20:00" in bad.text
    r = browser.client.post("/vendors", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    vendor = _vendor(db, "Atlas")
    assert vendor is not None
    assert vendor.coverage == {"mon": [["08:00", "12:00"], ["13:00", "20:00"]]}
    url = f"/vendors/{vendor.id}"
    page = browser.client.get(url)
    assert page.status_code == 200 and "No contract yet" in page.text
    assert "Set a contract first" in page.text
    contract = {"csrf_token": browser.csrf, "starts_on": "2026-01-01", "qa_accuracy": "0.97"}
    bad = browser.client.post(f"{url}/contract", data=contract | {"qa_accuracy": "97"})
    assert bad.status_code == 422 and "QA accuracy" in bad.text
    r = browser.client.post(f"{url}/contract", data=contract, follow_redirects=False)
    assert r.status_code == 303, r.text
    r = browser.client.post(f"{url}/commitments", data={
        "csrf_token": browser.csrf, "volume_flags": "1200", "volume_legal": ""},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    bad = browser.client.post(f"{url}/commitments",
                              data={"csrf_token": browser.csrf, "volume_flags": "-3"})
    assert bad.status_code == 422
    page = browser.client.get(url)
    assert "97%" in page.text and "(in force)" in page.text and "1,200" in page.text
    r = browser.client.post(url, data=form | {"languages": "pt", "active": "no"},
                            follow_redirects=False)
    assert r.status_code == 303, r.text
    vendor = _vendor(db, "Atlas")
    assert vendor is not None and vendor.languages == ["pt"] and vendor.active is False
    assert vendor.contracts_seen == [  # type: ignore[attr-defined]
        ("2026-01-01", None, 0.97, [1200])]
    assert browser.client.get("/vendors/999").status_code == 404


def test_a_manager_adds_teams(sign_in: Any, manager: Any, db: Database) -> None:
    with db.session() as s:
        vendors.create_vendor(s, actor=SYSTEM, name="Northwind")
    browser = sign_in(manager)
    assert browser.client.get("/teams").status_code == 200
    data = {"csrf_token": browser.csrf, "name": "Northwind BPO", "kind": "vendor"}
    bad = browser.client.post("/teams", data=data)
    assert bad.status_code == 422 and "a vendor team needs its vendor" in bad.text
    r = browser.client.post("/teams", data=data | {"vendor": "Northwind"},
                            follow_redirects=False)
    assert r.status_code == 303, r.text
    assert browser.client.post("/teams", data=data | {"vendor": "Northwind"}).status_code == 409
    assert "Northwind BPO" in browser.client.get("/teams").text
    with db.session() as s:
        team = s.scalar(select(Team).where(Team.name == "Northwind BPO"))
        assert team is not None and team.vendor is not None and team.vendor.name == "Northwind"


def test_agents_see_no_workforce_pages(sign_in: Any, make_person: Any) -> None:
    browser = sign_in(make_person("agent"))
    assert browser.client.get("/vendors").status_code == 403
    assert 'href="/vendors"' not in browser.client.get("/account").text
