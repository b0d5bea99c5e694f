"""Each person's growth on the scorecard's week (Ben decided C1 and C3, both overturned on
appeal; QA judged his first decision wrong): QA accuracy by week, appeals, harmful items seen,
calibration results, certifications and coaching notes; for Ben and his manager only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from integrity_desk.db import Database
from integrity_desk.growth import service
from integrity_desk.people import certifications
from integrity_desk.people.models import User
from integrity_desk.people.service import actor_of
from integrity_desk.quality.calibration_models import CalibrationExercise, CalibrationInvitation
from integrity_desk.wellbeing.models import HarmExposure
from tests.conftest import Browser, Person
from tests.quality.test_qa_flow import _review_all, desk  # noqa: F401  (the fixture)

NOW = datetime(2026, 4, 2, 12, tzinfo=UTC)
API = "/api/v1"


def _extras(db: Database, ben_id: int, mia_id: int) -> None:
    with db.session() as s:
        ben, mia = s.get(User, ben_id), s.get(User, mia_id)
        assert ben and mia
        for day, item in [(date(2026, 3, 30), "review:1"), (date(2026, 3, 31), "review:2"),
                          (date(2026, 3, 31), "review:3")]:
            s.add(HarmExposure(user_id=ben.id, day=day, item=item, harm="violence",
                               how="revealed", seen_at=NOW))
        exercise = CalibrationExercise(title="Fake reviews, March", status="closed",
                                       created_by_id=mia.id, closed_at=NOW,
                                       certification="flags-calibrated",
                                       results={"alpha": {"value": 0.81}})
        s.add(exercise)
        s.flush()
        s.add(CalibrationInvitation(exercise_id=exercise.id, user_id=ben.id, agreement=0.9,
                                    passed=True))
        certifications.grant(s, user=ben, name="flags-calibrated", source="calibration",
                             actor=actor_of(mia), now=NOW, source_ref=f"calibration:{exercise.id}")


def test_growth_gathers_the_persons_record(db: Database, desk: dict[str, Any]) -> None:  # noqa: F811
    _review_all(db, desk)
    ben_id, mia_id = desk["ben"].user.id, desk["mia"].user.id
    _extras(db, ben_id, mia_id)
    with db.session() as s:
        ben, mia = s.get(User, ben_id), s.get(User, mia_id)
        assert ben and mia
        service.write_note(s, ben, author=mia, note="Read the reviewer's history first.",
                           actor=actor_of(mia), now=NOW)
        g = service.growth(s, ben, now=NOW)
    week = {w.starts_on: w for w in g.weeks}[date(2026, 3, 30)]
    assert (week.reviewed, week.correct, week.accuracy, week.harmful_seen) == (2, 1, 0.5, 3)
    assert len(g.weeks) == 12 and g.weeks[0].accuracy is None  # no data, not 0 %
    assert g.appeals == {"upheld": 0, "overturned": 2, "partly_overturned": 0}
    assert {o.guideline for o in g.overturns} == {"fake"}
    [cal] = g.calibrations
    assert (cal.title, cal.agreement, cal.passed, cal.group_alpha) == (
        "Fake reviews, March", 0.9, True, 0.81)
    assert [c.name for c in g.certifications] == ["flags-calibrated"]
    assert [n.note for n in g.notes] == ["Read the reviewer's history first."]


def test_growth_over_http_for_the_person_and_their_manager(
        client: Any, desk: dict[str, Any], sign_in: Callable[..., Browser],  # noqa: F811
        make_person: Callable[..., Person]) -> None:
    ben, mia, quinn = desk["ben"], desk["mia"], desk["quinn"]
    note = client.post(f"{API}/people/{ben.user.id}/coaching-notes", headers=mia.headers,
                       json={"note": "Good catch on the ring last week."})
    assert note.status_code == 201, note.text
    assert client.post(f"{API}/people/{ben.user.id}/coaching-notes", headers=mia.headers,
                       json={"note": "  "}).json()["error"]["field"] == "note"
    assert client.post(f"{API}/people/{ben.user.id}/coaching-notes", headers=ben.headers,
                       json={"note": "Me"}).status_code == 403
    mine = client.get(f"{API}/people/{ben.user.id}/growth", headers=ben.headers)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert [n["note"] for n in body["coaching_notes"]] == ["Good catch on the ring last week."]
    assert len(body["weeks"]) == 12
    assert client.get(f"{API}/people/{ben.user.id}/growth",
                      headers=quinn.headers).status_code == 404
    page = sign_in(ben).client.get(f"/people/{ben.user.id}/growth").text
    assert "Good catch on the ring last week." in page and "Add the note" not in page
    lead = sign_in(mia)
    assert "Add the note" in lead.client.get(f"/people/{ben.user.id}/growth").text
    posted = lead.client.post(f"/people/{ben.user.id}/coaching-notes",
                              data={"note": "Second note.", "csrf_token": lead.csrf},
                              follow_redirects=False)
    assert posted.status_code == 303
    assert "Second note." in sign_in(ben).client.get(f"/people/{ben.user.id}/growth").text
