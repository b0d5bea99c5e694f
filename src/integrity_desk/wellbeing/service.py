"""Shielding people from harmful content: revealing a hidden item (recorded on the case's
timeline, as a reveal of personal data is), counting each person's harmful items a day, and
the daily cap that routing respects. Services flush; the boundary commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.bulk import BulkInsert
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.configuration.service import desk_config
from integrity_desk.errors import Forbidden, InvalidInput
from integrity_desk.people.models import Team, User
from integrity_desk.subjects.models import Review
from integrity_desk.triage.harm import parse_harms
from integrity_desk.wellbeing.domain import Item, at_cap, cap_refusal, exposure_day
from integrity_desk.wellbeing.models import HarmExposure

_COUNT = BulkInsert(HarmExposure.__table__,
                    ["user_id", "day", "item", "case_id", "harm", "how", "seen_at"],
                    conflict=["user_id", "day", "item"])


@dataclass(frozen=True)
class Standing:
    """A person's harmful items today against the cap."""

    seen: int
    cap: int

    @property
    def at_cap(self) -> bool:
        return at_cap(self.seen, self.cap)

    def refusal(self, who: str | None = None) -> str:
        return cap_refusal(self.seen, self.cap, who=who)


def daily_cap(session: Session) -> int:
    """The configured cap (the ``harm_exposure_cap`` rule of triage's rule set, else 20)."""
    return int(desk_config(session).rules.harm_cap)


def seen_today(session: Session, user_id: int, now: datetime) -> int:
    """One range read of the unique index (user_id, day, item)."""
    return int(session.scalar(select(func.count()).select_from(HarmExposure).where(
        HarmExposure.user_id == user_id, HarmExposure.day == exposure_day(now))) or 0)


def standing(session: Session, user: User, now: datetime) -> Standing:
    return Standing(seen_today(session, user.id, now), daily_cap(session))


def count_seen(session: Session, user: User, items: list[tuple[Item, str, int | None]], *,
               now: datetime, how: str) -> None:
    """Count items (item, harm, case id) as seen by the person today: once each a day,
    however often they are opened (ON CONFLICT DO NOTHING on the unique index)."""
    day = exposure_day(now)
    _COUNT.execute(session, [dict(user_id=user.id, day=day, item=item.code, case_id=case_id,
                                  harm=harm, how=how, seen_at=now)
                             for item, harm, case_id in items])


def _shown_reviews(session: Session, case: Case) -> tuple[set[int], set[int], set[int]]:
    """The case's own reviews, and the businesses and reviewers whose other reviews its view
    lists: a review may be revealed from this case only if the case view shows it."""
    subjects = list(session.execute(select(CaseSubject.subject_type, CaseSubject.subject_id)
                                    .where(CaseSubject.case_id == case.id)))
    reviews = {i for t, i in subjects if t == "review"}
    businesses = {i for t, i in subjects if t == "business"}
    reviewers = {i for t, i in subjects if t == "reviewer"}
    if reviews:
        for business_id, reviewer_id in session.execute(
                select(Review.business_id, Review.reviewer_id).where(Review.id.in_(reviews))):
            businesses.update([business_id] if business_id else [])
            reviewers.update([reviewer_id] if reviewer_id else [])
    return reviews, businesses, reviewers


def harm_of(session: Session, case: Case, item: Item) -> tuple[str, str]:
    """What is harmful in the item, as stored, and the item in words ("review r50012");
    refused when the item is not harmful or not on this case's view."""
    if item.kind == "case":
        if item.id != case.id:
            raise InvalidInput(f"case:{item.id} is not {case.key}", field="item")
        harm, what = case.text_harm, "the case's own text"
    else:
        reviews, businesses, reviewers = _shown_reviews(session, case)
        row = session.execute(select(Review.harm, Review.ref).where(
            Review.id == item.id,
            or_(Review.id.in_(reviews or {0}), Review.business_id.in_(businesses or {0}),
                Review.reviewer_id.in_(reviewers or {0})))).first()
        if row is None:
            raise InvalidInput(f"{case.key} shows no review {item.id}", field="item")
        harm, what = row.harm, f"review {row.ref}"
    if not harm:
        raise InvalidInput(f"{item.code} is not hidden: nothing harmful was found in it",
                           field="item")
    return harm, what


def reveal(session: Session, case: Case, *, user: User, actor: Actor, now: datetime,
           item: Item) -> str:
    """Show one hidden item, once, for this answer: recorded as ``harm.revealed`` on the
    case's timeline (who, when, which item, which harms) and counted towards the person's
    harmful items today. Returns the item's harm."""
    harm, what = harm_of(session, case, item)
    record(session, kind="harm.revealed", category="access", actor=actor, case_id=case.id,
           at=now, payload={"item": item.code, "what": what, "harm": list(parse_harms(harm))})
    count_seen(session, user, [(item, harm, case.id)], now=now, how="revealed")
    return harm


def check_may_take(session: Session, user: User, case: Case, *, now: datetime,
                   who: str | None = None) -> None:
    """Refuse a harmful case to a person who has reached today's cap, naming the rule."""
    if not case.harm:
        return
    mine = standing(session, user, now)
    if mine.at_cap:
        raise Forbidden(mine.refusal(who))


@dataclass(frozen=True)
class PersonToday:
    name: str
    team: str | None
    seen: int
    revealed: int
    at_cap: bool
    blur: bool


def people_today(session: Session, now: datetime, *, limit: int = 200) -> list[PersonToday]:
    """Everyone who saw a harmful item today, most first: the manager's table. One grouped
    read of ix_harm_exposures_day (day, user_id)."""
    cap = daily_cap(session)
    counts = (select(HarmExposure.user_id, func.count().label("seen"),
                     func.count().filter(HarmExposure.how == "revealed").label("revealed"))
              .where(HarmExposure.day == exposure_day(now))
              .group_by(HarmExposure.user_id).subquery())
    rows = session.execute(
        select(User.name, Team.name, counts.c.seen, counts.c.revealed, User.blur_harm)
        .join(counts, counts.c.user_id == User.id).outerjoin(Team, Team.id == User.team_id)
        .order_by(counts.c.seen.desc(), User.name).limit(limit))
    return [PersonToday(name, team, seen, revealed, at_cap(seen, cap), blur)
            for name, team, seen, revealed, blur in rows]


def set_blur(session: Session, user: User, *, blur: bool, actor: Actor) -> None:
    """The person's own setting; recorded, since turning the shield off is a choice a manager
    may need to see."""
    if user.blur_harm == blur:
        return
    user.blur_harm = blur
    session.flush()
    record(session, kind="account.blur_harm_changed", category="audit", actor=actor,
           chain_key="people", payload={"user": user.id, "blur_harm": blur})



def seen_on(session: Session, user_ids: list[int], now: datetime) -> dict[int, int]:
    """Harmful items each of these people saw on ``now``'s day (one grouped read of
    ix_harm_exposures_day): the Team page's exposure column."""
    counts = {uid: 0 for uid in user_ids}
    if user_ids:
        counts.update(session.execute(  # type: ignore[arg-type]
            select(HarmExposure.user_id, func.count())
            .where(HarmExposure.day == exposure_day(now), HarmExposure.user_id.in_(user_ids))
            .group_by(HarmExposure.user_id)).all())
    return counts
