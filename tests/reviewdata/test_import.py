"""Importing the platform's data: rows land, owners are mirrored, re-running changes nothing,
bad rows are reported with their line and field while the good ones land (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.reviewdata import importer, service
from integrity_desk.reviewdata.rows import BadRow, review_values
from integrity_desk.subjects.models import Business, Review, Reviewer


def _rows(*rows: dict[str, Any]) -> list[tuple[int, dict[str, Any] | BadRow]]:
    return [(n, row) for n, row in enumerate(rows, start=2)]


def _review(ref: str, business: str = "shop.example.com", reviewer: str = "u1", **extra: Any
            ) -> dict[str, Any]:
    return {"ref": ref, "business": business, "reviewer": reviewer, "rating": "5",
            "published_at": "2026-03-01", "text": f"text of {ref}", **extra}


def _import(db: Database, kind: str, rows: list[tuple[int, dict[str, Any] | BadRow]]
            ) -> tuple[service.Summary, list[BadRow]]:
    bad: list[BadRow] = []
    summary = service.run_import(db, kind, rows, actor=SYSTEM, on_bad=bad.append)
    return summary, bad


def test_reviews_land_with_their_owners_mirrored(db: Database) -> None:
    summary, bad = _import(db, "reviews", _rows(
        _review("r1", device_id="dev-9"), _review("r2", reviewer="u2", rating="4.0"),
        _review("r3", business="other.example.org", status="removed")))
    assert bad == [] and summary.outcome.as_dict() == {"added": 3, "changed": 0,
                                                       "unchanged": 0}
    with db.session() as session:
        reviews = {r.ref: r for r in session.scalars(select(Review))}
        businesses = {b.id: b for b in session.scalars(select(Business))}
        reviewers = {r.id: r for r in session.scalars(select(Reviewer))}
    assert {businesses[r.business_id].domain for r in reviews.values()} == {
        "shop.example.com", "other.example.org"}
    assert reviewers[reviews["r2"].reviewer_id].ref == "u2"
    assert reviewers[reviews["r2"].reviewer_id].joined_at is None  # unknown, not "now"
    assert reviews["r1"].device_id == "dev-9" and reviews["r2"].rating == 4
    assert reviews["r3"].status == "removed"
    assert reviews["r1"].published_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert not reviews["r1"].harm_checked  # read for harm when it comes into a case
    assert all(b.reviews_changed_at is not None for b in businesses.values())


def test_importing_again_adds_and_changes_nothing(db: Database) -> None:
    rows = _rows(_review("r1"), _review("r2", reviewer="u2"))
    _import(db, "reviews", rows)
    with db.session() as session:
        stamped = session.scalar(select(Business.reviews_changed_at))
    summary, _ = _import(db, "reviews", rows)
    assert summary.outcome.as_dict() == {"added": 0, "changed": 0, "unchanged": 2}
    with db.session() as session:
        assert session.scalar(select(Business.reviews_changed_at)) == stamped
        assert session.scalar(select(func.count()).select_from(Review)) == 2
        assert session.scalar(select(func.count()).select_from(Reviewer)) == 2


def test_a_changed_row_is_updated_and_read_for_harm_again(db: Database) -> None:
    _import(db, "reviews", _rows(_review("r1")))
    with db.session() as session:
        session.execute(update(Review).values(harm_checked=True))
    summary, _ = _import(db, "reviews", _rows(_review("r1", text="an edited text", rating=1)))
    assert summary.outcome.as_dict() == {"added": 0, "changed": 1, "unchanged": 0}
    with db.session() as session:
        review = session.scalars(select(Review)).one()
    assert (review.text, review.rating, review.harm_checked) == ("an edited text", 1, False)


def test_the_desks_removal_stands_against_a_stale_published(db: Database) -> None:
    _import(db, "reviews", _rows(_review("r1"), _review("r2")))
    with db.session() as session:
        session.execute(update(Review).where(Review.ref == "r1").values(status="removed"))
    summary, _ = _import(db, "reviews", _rows(_review("r1"), _review("r2", status="hidden")))
    assert summary.outcome.as_dict() == {"added": 0, "changed": 1, "unchanged": 1}
    with db.session() as session:
        status = {ref: s for ref, s in session.execute(select(Review.ref, Review.status))}
    assert status == {"r1": "removed", "r2": "hidden"}


def test_bad_rows_are_reported_while_the_good_ones_land(db: Database) -> None:
    summary, bad = _import(db, "reviews", _rows(
        _review("r1"), _review("r2", business="not a domain"), _review("r3", rating="6"),
        {"business": "shop.example.com", "reviewer": "u1"}, _review("r5", published_at="soon"),
        BadRow(7, "line", "not JSON"), _review("r8", published_at="2026-03-01T10:00:00"),
        _review("r9")))
    assert [(b.line, b.field) for b in bad] == [
        (3, "business"), (4, "rating"), (5, "ref"), (6, "published_at"), (7, "line"),
        (8, "published_at")]
    assert bad[1].reason == "must be between 1 and 5"
    assert bad[5].reason == "needs a time zone (e.g. Z or +01:00)"
    assert (summary.read, summary.bad, summary.outcome.added) == (8, 6, 2)
    with db.session() as session:
        assert set(session.scalars(select(Review.ref))) == {"r1", "r9"}


def test_many_batches_and_a_row_edited_further_down(db: Database,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "BATCH_ROWS", 7)
    rows = [_review(f"r{i}", reviewer=f"u{i % 5}", business=f"b{i % 3}.example.com")
            for i in range(30)]
    rows.insert(3, _review("r0", text="edited in the same batch"))
    batches: list[int] = []
    summary = service.run_import(db, "reviews", _rows(*rows), actor=SYSTEM,
                                 on_batch=lambda s: batches.append(
                                     s.outcome.added + s.outcome.unchanged))
    # batches of 7 rows land one after another (the first holds r0 twice: 6 reviews)
    assert batches == [6, 13, 20, 27, 30]
    # r0 arrives twice in the first batch: the later row wins
    assert summary.outcome.added == 30
    with db.session() as session:
        assert session.scalar(select(Review.text).where(Review.ref == "r0")) == \
            "edited in the same batch"
        assert session.scalar(select(func.count()).select_from(Reviewer)) == 5


def test_businesses_and_reviewers_are_upserted(db: Database) -> None:
    summary, bad = _import(db, "businesses", _rows(
        {"domain": "Shop.Example.com", "name": "Shop", "country": "DE", "plan_tier": "premium",
         "review_count": "1200"},
        {"domain": "x.example.com", "country": "germany"}))
    assert summary.outcome.added == 1 and [(b.line, b.field) for b in bad] == [(3, "country")]
    again, _ = _import(db, "businesses", _rows(
        {"domain": "shop.example.com", "name": "Shop GmbH", "country": "DE",
         "plan_tier": "premium", "review_count": "1200"}))
    assert again.outcome.as_dict() == {"added": 0, "changed": 1, "unchanged": 0}
    summary, _ = _import(db, "reviewers", _rows(
        {"ref": "u1", "joined_at": "2026-01-05T08:00:00Z", "country": "FR"}))
    summary2, _ = _import(db, "reviewers", _rows(
        {"ref": "u1", "joined_at": "2026-01-05T08:00:00Z", "country": "FR"}))
    assert summary.outcome.added == 1 and summary2.outcome.unchanged == 1
    with db.session() as session:
        business = session.scalars(select(Business)).one()
        reviewer = session.scalars(select(Reviewer)).one()
    assert (business.domain, business.name, business.plan_tier, business.review_count) == (
        "shop.example.com", "Shop GmbH", "premium", 1200)
    assert reviewer.joined_at == datetime(2026, 1, 5, 8, tzinfo=UTC)
    assert reviewer.display_name == "u1"


def test_flags_are_filed_through_intake_once_each(db: Database) -> None:
    flag = {"ref": "f1", "category": "fake", "reporter_type": "consumer",
            "reason": "bought", "review_ref": "r1", "business_domain": "shop.example.com",
            "text": "Five stars, best ever"}
    rows = _rows(flag, {**flag, "ref": "f2"}, {**flag, "ref": "f3", "category": "nonsense"},
                 {**flag, "ref": None})
    summary, bad = _import(db, "flags", rows)
    assert (summary.cases_opened, summary.flags_joined) == (1, 1)
    assert sorted((b.line, b.field) for b in bad) == [(4, "category"), (5, "ref")]
    again, bad_again = _import(db, "flags", rows)
    assert again.outcome.as_dict() == {"added": 0, "changed": 0, "unchanged": 2}
    assert again.cases_opened == 0 and len(bad_again) == 2
    with db.session() as session:
        case = session.scalars(select(Case)).one()
    assert case.linked_request_count == 1


def test_row_checks_name_the_field() -> None:
    with pytest.raises(Exception, match="reviewer: is required"):
        review_values({"ref": "r1", "business": "a.example.com"})
    assert importer.BATCH_ROWS >= 1000


def test_an_imported_review_is_read_for_harm_when_it_comes_into_a_case(db: Database) -> None:
    from tests.wellbeing.test_shield import THREAT

    _import(db, "reviews", _rows(_review("r1", text=THREAT, language="en"),
                                 _review("r2", text="A calm, fair review of the place.")))
    with db.session() as session:
        assert set(session.scalars(select(Review.harm_checked))) == {False}
    flag = {"ref": "f1", "category": "harmful_illegal", "reporter_type": "consumer",
            "review_ref": "r1"}
    summary, bad = _import(db, "flags", _rows(flag))
    assert bad == [] and summary.cases_opened == 1
    with db.session() as session:
        checked = {r.ref: (r.harm_checked, r.harm) for r in session.scalars(select(Review))}
        case = session.scalars(select(Case)).one()
    assert checked == {"r1": (True, "threat"), "r2": (False, None)}
    assert case.harm == "threat"


def test_a_business_stamped_once_per_import_unless_the_signals_ran_meanwhile(
        db: Database) -> None:
    from integrity_desk.signals import service as signals

    run = service.ImportRun(db.session, "reviews", actor=SYSTEM)
    run.add(2, _review("r1"))
    run.flush()
    with db.session() as session:
        first = session.scalar(select(Business.reviews_changed_at))
    run.add(3, _review("r2"))
    run.flush()  # the same import: the stamp stays
    with db.session() as session:
        assert session.scalar(select(Business.reviews_changed_at)) == first
        business_id = signals.business_id_of(session, "shop.example.com")
        signals.run_business(session, business_id, now=utcnow(), actor=SYSTEM, open_at=1.0)
        assert signals.due(session) == []
    run.add(4, _review("r3"))  # a review after the signals ran: due again
    run.finish()
    with db.session() as session:
        assert signals.due(session) == [business_id]

