"""A realistic, deterministic demo desk built through the public services.

Same seed, same teams, people, reviews and cases; times are relative to now so SLA clocks show
every state (on track, at risk, breached, paused, met).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.db import Database, utcnow
from integrity_desk.decisions.defaults import GUIDELINES
from integrity_desk.decisions.domain import ActionKind, ActionRequest
from integrity_desk.decisions.service import DecisionInput, decide
from integrity_desk.demo import data
from integrity_desk.demo.calibration import seed_calibrations
from integrity_desk.demo.quality import seed_quality
from integrity_desk.demo.signals import seed_signals
from integrity_desk.demo.sop_data import SOPS
from integrity_desk.dsa.models import TrustedFlagger
from integrity_desk.errors import DeskError
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.people import schedule
from integrity_desk.people.domain import DAYS, parse_week
from integrity_desk.people.models import Team, User, Vendor, VendorCommitment, VendorContract
from integrity_desk.people.service import actor_of, create_user
from integrity_desk.routing.models import Queue
from integrity_desk.routing.service import check_may_work
from integrity_desk.routing.settings import first_version
from integrity_desk.sla.models import SlaCalendar, SlaPolicy
from integrity_desk.sops import service as sops
from integrity_desk.subjects.models import Business, Review, Reviewer
from integrity_desk.subjects.service import review_harm

DEMO_PASSWORD = "integrity-demo-2026"
_case_in: TypeAdapter[Any] = TypeAdapter(CaseIn)

PEOPLE = [
    ("admin@desk.example.com", "Ada Admin", "admin", "Escalations", ["en"]),
    ("manager@desk.example.com", "Maja Lindqvist", "manager", "Escalations", ["en", "sv", "da"]),
    ("specialist@desk.example.com", "Sam Okafor", "specialist", "Escalations", ["en", "de", "fr"]),
    ("specialist2@desk.example.com", "Lena Vogel", "specialist", "Escalations", ["en", "de", "nl"]),
    ("specialist3@desk.example.com", "Marco Ferri", "specialist", "Escalations",
     ["en", "it", "es"]),
    ("agent@desk.example.com", "Joy Santos", "agent", "Northwind BPO", ["en"]),
    ("agent2@desk.example.com", "Paolo Reyes", "agent", "Northwind BPO", ["en"]),
    ("agent3@desk.example.com", "Rita Sousa", "agent", "Atlas Moderation",
     ["de", "fr", "es", "it", "nl", "da", "sv", "pl"]),
    ("agent4@desk.example.com", "Hugo Lemaire", "agent", "Atlas Moderation", ["fr", "es", "it"]),
    ("legal@desk.example.com", "Leah Brandt", "legal", "Legal", ["en", "de"]),
    ("policy@desk.example.com", "Priya Nair", "policy", "Legal", ["en"]),
    ("viewer@desk.example.com", "Victor Stakeholder", "viewer", None, ["en"]),
]


def _setup_teams(session: Session) -> dict[str, Team]:
    office = SlaCalendar(
        name="Copenhagen office", timezone="Europe/Copenhagen", holiday_country="DK",
        hours={d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")})
    lisbon = SlaCalendar(
        name="Lisbon vendor", timezone="Europe/Lisbon", holiday_country="PT",
        hours={d: [["07:00", "23:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat")})
    session.add_all([office, lisbon])
    session.flush()
    always = session.scalar(select(SlaCalendar).where(SlaCalendar.name == "24/7"))
    northwind = Vendor(name="Northwind", languages=["en"], time_zone="America/Chicago",
                       coverage={d: [["00:00", "24:00"]] for d in DAYS})
    atlas = Vendor(name="Atlas", languages=["da", "de", "es", "fr", "it", "nl", "pl", "sv"],
                   time_zone="Europe/Lisbon",
                   coverage={d: [["07:00", "23:00"]] for d in DAYS[:6]})
    session.add_all([northwind, atlas])
    teams = {
        "Escalations": Team(name="Escalations", kind="internal", calendar_id=office.id),
        "Legal": Team(name="Legal", kind="internal", calendar_id=office.id),
        "Northwind BPO": Team(name="Northwind BPO", kind="vendor", vendor=northwind,
                              calendar_id=always.id if always else None),
        "Atlas Moderation": Team(name="Atlas Moderation", kind="vendor", vendor=atlas,
                                 calendar_id=lisbon.id),
    }
    session.add_all(teams.values())
    session.flush()
    queues = {q.slug: q for q in session.scalars(select(Queue))}
    if "flags" in queues:
        queues["flags"].team_id = teams["Northwind BPO"].id
        queues["flags"].name = "Flags, English (Northwind)"
    flags_eu = Queue(slug="flags-eu", name="Flags, EU languages (Atlas)", kinds=["flag"],
                     tier=1, team_id=teams["Atlas Moderation"].id, position=5,
                     languages=["de", "fr", "es", "it", "nl", "da", "sv", "pl"])
    session.add(flags_eu)
    session.flush()
    first_version(session, flags_eu)
    year = date(utcnow().year, 1, 1)
    for vendor, queue, volume, aht in ((northwind, queues.get("flags"), 1_200, 6.0),
                                       (atlas, flags_eu, 800, 7.5)):
        contract = VendorContract(
            vendor_id=vendor.id, starts_on=year, ends_on=None, first_response_attainment=0.95,
            resolution_attainment=0.9, qa_accuracy=0.97, aht_minutes=aht,
            backlog_age_p90_hours=48.0)
        if queue is not None:
            contract.commitments = [VendorCommitment(queue_id=queue.id, weekly_volume=volume)]
        session.add(contract)
    for slug, team in (("specialists", "Escalations"), ("management", "Escalations"),
                       ("legal", "Legal")):
        if slug in queues:
            queues[slug].team_id = teams[team].id
    session.add_all([
        TrustedFlagger(name="Consumer Watch Europe", country="DE",
                       coordinator="Bundesnetzagentur", areas=["fake", "incentivised"]),
        TrustedFlagger(name="SafeNet Hotline", country="DK",
                       coordinator="Danish Competition and Consumer Authority",
                       areas=["harmful_illegal", "personal_information"]),
    ])
    session.flush()
    return teams


def _setup_people(session: Session, teams: dict[str, Team]) -> dict[str, User]:
    users = {}
    for email, name, role, team, langs in PEOPLE:
        users[email] = create_user(
            session, email=email, name=name, role=role, password=DEMO_PASSWORD,
            team=teams.get(team) if team else None, languages=langs, actor=SYSTEM)
    return users


# Working profiles (docs/workforce.md), set once the history is seeded: the seeded claims
# happened in the past, whatever the shifts say today. The people one signs in as to try the
# desk (admin, manager, specialist, agent, agent3, legal) keep no weekly shifts and no capacity,
# so the demo works at any hour and however much the seeding gave them; the others show shifts,
# time zones and capacity at work.
PROFILES = {  # email: (capacity, time zone, weekly shifts)
    "specialist@desk.example.com": (None, "Europe/Berlin", ""),
    "specialist2@desk.example.com": (6, "Europe/Berlin", "mon-fri 08:00-18:00"),
    "specialist3@desk.example.com": (6, "Europe/Rome", "mon-fri 09:00-18:00"),
    "agent@desk.example.com": (None, "America/Chicago", ""),
    "agent2@desk.example.com": (8, "America/Chicago", "mon-fri 07:00-19:00; sat 09:00-15:00"),
    "agent3@desk.example.com": (None, "Europe/Lisbon", ""),
    "agent4@desk.example.com": (8, "Europe/Lisbon", "mon-sat 08:00-20:00"),
    "legal@desk.example.com": (None, "Europe/Berlin", ""),
}


def _working_profiles(db: Database) -> None:
    """Give the demo's people a working profile, one of them away and one with leave coming,
    so the Team and Vendors pages show a desk at work."""
    now = utcnow()
    with db.session() as session:
        for email, (capacity, zone, week) in PROFILES.items():
            person = session.scalar(select(User).where(User.email == email))
            schedule.update_person(session, actor=SYSTEM, user=person, changes={
                "capacity": capacity, "time_zone": zone,
                "shift_pattern": parse_week(week)})
        away = session.scalar(select(User).where(User.email == "agent2@desk.example.com"))
        schedule.set_availability(session, actor=SYSTEM, person=away, status="away", now=now,
                                  reason="Team meeting")
        leave = session.scalar(select(User).where(User.email == "specialist3@desk.example.com"))
        start = datetime.combine(now.date() + timedelta(days=7), datetime.min.time(), tzinfo=UTC)
        schedule.add_exception(session, actor=SYSTEM, person=leave, kind="leave",
                               starts_at=start, ends_at=start + timedelta(days=5),
                               note="Winter holiday")


def _setup_content(session: Session, rng: random.Random, reviews: int) -> list[Review]:
    businesses = [Business(domain=d, name=n, country=c, plan_tier=p, review_count=rc,
                           csm_owner=rng.choice(["Clara Holm", "Ben Carter", None]))
                  for d, n, c, p, rc in data.BUSINESSES]
    session.add_all(businesses)
    reviewers = []
    now = utcnow()
    for i in range(max(60, reviews // 4)):
        country = rng.choice(data.COUNTRIES)
        reviewers.append(Reviewer(
            ref=f"u{1000 + i}", country=country, review_count=rng.randint(1, 80),
            display_name=f"{rng.choice(data.FIRST)} {rng.choice(data.LAST)[0]}.",
            joined_at=now - timedelta(days=rng.randint(3, 2500))))
    session.add_all(reviewers)
    session.flush()
    out = []
    kinds = list(data.REVIEW_TEXTS)
    for i in range(reviews):
        reviewer = rng.choice(reviewers)
        kind = rng.choice(kinds)
        out.append(Review(
            ref=f"r{50000 + i}", business_id=rng.choice(businesses).id, reviewer_id=reviewer.id,
            text=rng.choice(data.REVIEW_TEXTS[kind]), rating=5 if kind == "fake" else
            rng.randint(1, 2) if kind != "genuine_good" else rng.randint(4, 5),
            language=data.LANGS[reviewer.country or "GB"],
            published_at=now - timedelta(days=rng.randint(1, 400))))
    for review in out:  # triage's verdict, as intake stores it (no draw of the generator)
        review.harm = review_harm(review.title, review.text, review.language)
    session.add_all(out)
    session.flush()
    return out


def _payload(rng: random.Random, kind: str, reviews: list[Review], decided: list[Case],
             at: datetime, domain: str | None = None) -> dict[str, Any] | None:
    review = rng.choice(reviews)
    domain = rng.choice(data.BUSINESSES)[0] if domain is None else domain
    person = {"name": f"{rng.choice(data.FIRST)} {rng.choice(data.LAST)}",
              "email": f"contact{rng.randint(1, 999)}@example.org"}
    if kind == "flag":
        category = rng.choice(list(data.FLAG_REASONS))
        return {"kind": kind, "review": {"ref": review.ref},
                "reporter_type": rng.choice(["consumer", "business", "business",
                                             "automated_detector"]),
                "reporter": person, "category": category,
                "reason": data.FLAG_REASONS[category]}
    if kind == "csm_escalation":
        return {"kind": kind, "business_domain": domain,
                "csm": {"name": rng.choice(["Clara Holm", "Ben Carter"]),
                        "email": "csm@desk.example.com"},
                "customer_tier": rng.choice(["enterprise", "premium", "standard"]),
                "revenue_at_stake": rng.choice([8_000, 24_000, 60_000, 300_000]),
                "description": rng.choice(data.CSM_ASKS), "reviews": [{"ref": review.ref}]}
    if kind == "executive_escalation":
        return {"kind": kind, "business_domain": domain, "executive": person,
                "executive_title": rng.choice(["CEO", "Chief Marketing Officer", "SVP Sales"]),
                "business_impact": "Renewal of a six-figure contract at risk; press interest.",
                "description": rng.choice(data.EXEC_ASKS), "revenue_at_stake": 450_000}
    if kind == "legal_notice":
        notice_type, basis, country = rng.choice(data.LEGAL_BASES)
        return {"kind": kind, "sender_type": rng.choice(["law_firm", "authority", "court"]),
                "sender": {**person, "organisation": f"{rng.choice(data.LAST)} & Partners"},
                "jurisdiction": country, "notice_type": notice_type, "legal_basis": basis,
                "explanation": "The review makes false statements of fact about our client.",
                "deadline": (at + timedelta(days=rng.choice([2, 5, 10, 14]))).isoformat(),
                "urls": [f"https://reviews.example/reviews/{review.ref}"],
                "good_faith_statement": True}
    if kind == "trusted_flagger_notice":
        return {"kind": kind, "trusted_flagger": rng.choice(
                    ["Consumer Watch Europe", "SafeNet Hotline"]),
                "contact": person, "reviews": [{"ref": review.ref}],
                "category": rng.choice(["fake", "harmful_illegal", "personal_information"]),
                "explanation": "Part of a pattern we have documented.",
                "good_faith_statement": True}
    if kind == "investigation":
        return {"kind": kind, "title": f"Possible review ring around {domain}",
                "description": "Cluster of 5-star reviews from new accounts within 48 hours.",
                "hypothesis": "Paid review campaign.", "business_domains": [domain],
                "reviews": [{"ref": r.ref} for r in rng.sample(reviews, 3)]}
    if kind == "appeal":
        if not decided:
            return None
        contested = rng.choice(decided)
        return {"kind": kind, "contested_case": contested.key,
                "appellant_type": rng.choice(["reviewer", "business"]), "appellant": person,
                "grounds": "My review is based on a genuine experience; I have the receipt."}
    return None


KIND_WEIGHTS = [("flag", 60), ("csm_escalation", 8), ("executive_escalation", 4),
                ("legal_notice", 6), ("trusted_flagger_notice", 6), ("investigation", 6),
                ("appeal", 10)]
# What happens to a case after intake, by share; paths of named actions.
PATHS: list[tuple[int, list[str]]] = [
    (22, []),
    (12, ["claim"]),
    (18, ["claim", "start"]),
    (6, ["claim", "start", "wait_on_requester"]),
    (3, ["claim", "start", "wait_on_legal"]),
    (8, ["claim", "start", "decide"]),
    (25, ["claim", "start", "decide", "close"]),
    (3, ["claim", "start", "decide", "close", "reopen"]),
    (3, ["escalate"]),
]
# The first cases take these kinds and paths (12 hours apart, starting 12 days ago), so that even
# a small demo shows every kind and every state, and has an appeal against an earlier decision
# and two CSM escalations to merge; the rest are drawn at random from the weights above.
COVERAGE: list[tuple[str, list[str], str | None]] = [
    ("flag", ["claim", "start", "decide", "close"], None),
    ("csm_escalation", [], data.BUSINESSES[0][0]),
    ("csm_escalation", [], data.BUSINESSES[1][0]),
    ("executive_escalation", ["claim", "start", "wait_on_requester"], None),
    ("legal_notice", ["claim", "start", "wait_on_legal"], None),
    ("trusted_flagger_notice", ["claim", "start"], None),
    ("investigation", ["claim"], None),
    ("appeal", ["claim"], None),
]


FINISHED = [p for w, p in PATHS for _ in range(w) if "decide" in p and "reopen" not in p]
# A healthy desk with one bad week: a case whose resolution target has passed by now was
# finished, in time, nearly always; in the bad week (BAD_WEEK days ago) more were left open or
# finished late. The rest of the backlog is recent work, mostly on track, some at risk.
BAD_WEEK = (7, 10)
LEFT_OPEN = (0.005, 0.04)   # share of cases past their target still open: usual, bad week
WORKED_BY = 1.15          # a case older than this many targets (on average open hours) is done
LATE = (0.04, 0.25)        # share of cases worked too slowly for their target: usual, bad week


def _plan(session: Session, case: Case, path: list[str], at: datetime, now: datetime,
          rng: random.Random) -> tuple[list[str], timedelta | None]:
    """The path this case takes and the longest step between its actions (None: the usual
    5 minutes to 10 hours), so that the desk's SLA mix looks like a real desk's: steps fit
    the target, or for a late case run past it.

    The target is the policy's resolution time stretched by the calendar's average open hours,
    not the case's due instant: that depends on the hour and weekday the demo is seeded, and
    the demo must walk the same way whenever it is seeded (the docs' examples name its
    cases)."""
    policy = session.get(SlaPolicy, case.sla_policy_id) if case.sla_policy_id else None
    if policy is None:
        return path, None
    target = timedelta(minutes=policy.resolution_minutes) * _stretch(session, policy, case)
    bad = BAD_WEEK[0] <= (now - at).days <= BAD_WEEK[1]
    # Cases are finished near their due time, as a busy desk finishes them: the backlog keeps
    # some that are close to it (at risk).
    if at + target * WORKED_BY <= now and rng.random() >= LEFT_OPEN[bad]:
        # Finished; a reopened case restarts no clock, so only recent ones were reopened.
        path = path if path in FINISHED else rng.choice(FINISHED)
    steps = len(path) + 1
    if rng.random() < LATE[bad]:
        steps = max(1, len(path) // 2)  # on average the target plus half again
    return path, max(timedelta(minutes=6), target / steps)


def _stretch(session: Session, policy: SlaPolicy, case: Case) -> float:
    """Wall-clock time per working minute on the case's calendar, on average over a week
    (7 × 24 hours over its weekly open hours; holidays ignored): fixed by the configuration,
    whatever the hour the demo is seeded."""
    calendar_id = policy.calendar_id
    if calendar_id is None and case.queue_id is not None:
        calendar_id = session.scalar(select(Team.calendar_id).join(
            Queue, Queue.team_id == Team.id).where(Queue.id == case.queue_id))
    calendar = session.get(SlaCalendar, calendar_id) if calendar_id else None
    if calendar is None or not calendar.hours:
        return 1.0
    open_hours = sum(int(end[:2]) + int(end[3:5]) / 60 - int(start[:2]) - int(start[3:5]) / 60
                     for spans in calendar.hours.values() for start, end in spans)
    return 168 / open_hours if open_hours > 0 else 1.0


def _walk(session: Session, case: Case, path: list[str], users: list[User], at: datetime,
          rng: random.Random, until: datetime, step_at_most: timedelta | None = None) -> None:
    """Take the case along its path; stop at `until` (the seed's fixed now, not the wall clock,
    so that a slow run walks exactly as far as a fast one)."""
    # The work is spread over the people who may do it (not the admin, who administers), by
    # the case's number: no draw from rng, so who works a case never changes what happens.
    workers = [u for u in users if u.role not in ("admin", "viewer") and _may(session, u, case)]
    if not workers:
        return
    worker = workers[case.id % len(workers)]
    actor = actor_of(worker)
    longest = 600 if step_at_most is None else int(step_at_most.total_seconds() // 60)
    for step in path:
        at += timedelta(minutes=rng.randint(5, max(5, longest)))
        if at > until:
            return
        try:
            if step == "claim":
                cases.claim(session, case, user=worker, actor=actor, now=at)
            elif step == "escalate":
                cases.escalate(session, case, actor_user=worker, actor=actor, now=at,
                               reason="Needs a specialist: the business disputes the evidence.")
            elif step == "decide":
                # The worker walks the SOP's checklist first: its required items gate it.
                sops.tick_required(session, case, user=worker, actor=actor, now=at)
                decide(session, case, _decision(session, case, rng), user=worker, actor=actor,
                       now=at)
            else:
                cases.transition(session, case, action=step, actor_user=worker, actor=actor,
                                 now=at, reason="Demo: " + step.replace("_", " "))
        except DeskError:
            return
        if step == "start":
            cases.comment(session, case, actor=actor, now=at,
                          body="Checked reviewer history and order evidence.")


EEA = ["AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "NL", "NO", "PL", "SE"]


def _decision(session: Session, case: Case, rng: random.Random) -> DecisionInput:
    """A plausible decision: remove a flagged review (most of the time), or keep it."""
    # A review another case removed already cannot be removed again: keep that one as is.
    review = session.scalar(
        select(Review.ref).join(CaseSubject, (CaseSubject.subject_id == Review.id)
                                & (CaseSubject.subject_type == "review"))
        .where(CaseSubject.case_id == case.id, Review.status == "published")
        .order_by(CaseSubject.id).limit(1))
    codes = {g["code"] for g in GUIDELINES}
    guideline = case.category if case.category in codes else "fake"
    if review is None or rng.random() < 0.3:
        return DecisionInput(guideline=guideline, outcome="no_action",
                             explanation="The review meets the guideline.",
                             facts="Checked the report against the review and its history.")
    return DecisionInput(
        guideline=guideline, territorial_scope=EEA,
        explanation="The review breaks the guideline cited.",
        facts="Reported; the reviewer's history and the text confirm the report.",
        actions=[(f"review:{review}", ActionRequest(ActionKind.REMOVE_REVIEW, "review", 0))])


def _publish_sops(session: Session, manager: User, at: datetime) -> None:
    """Every kind's SOP, version 1, published before the first demo case is opened."""
    for kind, title, body, items in SOPS:
        sops.publish(session, kind, title=title, body=body, note="The desk's first playbook.",
                     items=[sops.ItemInput(k, t, h, r) for k, t, h, r in items],
                     actor=actor_of(manager), now=at)


def _merge_some(db: Database, manager: User) -> int:
    """Fold a few open escalations about the same business together, as a manager would."""
    merged = 0
    with db.session() as session:
        open_cases = list(session.scalars(
            select(Case).where(Case.is_open, Case.kind == "csm_escalation",
                               Case.status == "triaged").order_by(Case.id).limit(6)))
        for source, into in zip(open_cases[::2], open_cases[1::2], strict=False):
            try:
                cases.merge(session, source, into=into, actor_user=manager,
                            actor=actor_of(manager), now=utcnow(),
                            reason="Same client complaint raised twice by the CSM.")
                merged += 1
            except DeskError:
                continue
    return merged


def _may(session: Session, user: User, case: Case) -> bool:
    try:
        check_may_work(session, user, case)
        return True
    except DeskError:
        return False


def seed_demo(db: Database, *, cases: int, seed: int = 7,
              progress: Callable[[int], None] | None = None) -> list[str]:
    """Seed exactly `cases` cases (`idesk demo --cases N` promises N).

    A drawn request about a subject that already has an open case joins it as a linked request,
    as intake does, and does not count: requests are drawn until N cases were opened. Merging
    a few duplicates afterwards keeps them as cases (status `merged`), so N stays N.
    """
    rng = random.Random(seed)
    with db.session() as session:
        if session.scalar(select(User.id).where(User.email == "admin@desk.example.com")):
            return ["demo data already present; nothing added"]
        teams = _setup_teams(session)
        users = list(_setup_people(session, teams).values())
        reviews = _setup_content(session, rng, max(200, cases // 2))
    now = utcnow()
    with db.session() as session:
        _publish_sops(session, users[1], now - timedelta(days=30))
    decided: list[Case] = []
    kinds = [k for k, w in KIND_WEIGHTS for _ in range(w)]
    paths = [p for w, p in PATHS for _ in range(w)]
    made = linked = 0
    # Every draw but a refused one opens a case or links; the bound only stops a demo whose
    # vocabulary runs out of fresh subjects from drawing forever.
    attempts = 0
    while made < cases and attempts < 5 * cases + 50:
        n, attempts = attempts, attempts + 1
        if n < len(COVERAGE):
            kind, path, domain = COVERAGE[n]
            at = now - timedelta(days=12) + timedelta(hours=12 * n)
        else:
            at = now - timedelta(minutes=rng.randint(10, 14 * 24 * 60))
            kind, path, domain = rng.choice(kinds), rng.choice(paths), None
        with db.session() as session:
            payload = _payload(rng, kind, reviews, decided, at, domain)
            if payload is None:
                payload = _payload(rng, "flag", reviews, decided, at)
            try:
                outcome = Intake(session, now=at, actor=SYSTEM).submit(
                    _case_in.validate_python(payload))
            except DeskError:
                continue
            if not outcome.created:
                linked += 1
                continue
            made += 1
            if n >= len(COVERAGE):
                path, step_at_most = _plan(session, outcome.case, path, at, now, rng)
            else:
                step_at_most = None
            _walk(session, outcome.case, path, users, at, rng, now, step_at_most)
            if outcome.case.decided_at is not None and kind != "appeal":
                decided.append(outcome.case)
        if progress:
            progress(1)
    merged = _merge_some(db, users[1])
    _working_profiles(db)
    qa = seed_quality(db, rng, utcnow())
    calibrations = seed_calibrations(db, utcnow())
    signals = seed_signals(db, rng, utcnow())
    return [f"seeded {made} cases ({merged} of them then merged into another as duplicates; "
            f"{linked} more requests joined open cases as linked requests), {len(users)} users, "
            f"{len(reviews)} reviews, {calibrations}", qa, signals,
            f"log in as any of {', '.join(p[0] for p in PEOPLE)}",
            f"password for every demo user: {DEMO_PASSWORD}"]
