"""The `idesk` command against a fresh SQLite file: migrate, users, tokens, demo, audit, worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import func, select, text, update

from integrity_desk.api.app import create_app
from integrity_desk.audit.models import AuditCheckpoint, AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.jobs.models import Job
from integrity_desk.people.models import ApiToken, Role, User
from integrity_desk.quality.calibration_models import CalibrationExercise
from integrity_desk.settings import Settings
from integrity_desk.triage.models import TriageRule
from tests import factories as f
from tests.cli.conftest import SECRET


def _url(path: Path) -> str:
    return f"sqlite:///{path}"



@pytest.fixture
def db(url: str) -> Iterator[Database]:  # shadows the two-backend fixture: SQLite files only
    database = Database(url)
    yield database
    database.dispose()


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def _one_line(text_: str) -> str:
    """Undo rich's wrapping of long messages (at spaces) to the terminal width."""
    return " ".join(text_.split())


def test_migrate_creates_schema_and_defaults(run, db):
    out = _ok(run("migrate"))
    assert "".join(out.split()) == f"schemaiscurrenton{db.url}"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(TriageRule)) == 11
    _ok(run("migrate"))  # idempotent
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(TriageRule)) == 11


def test_user_create(run, db):
    _ok(run("migrate"))
    out = _ok(run("user", "create", "Ada@Desk.Example.com", "--name", "Ada Admin", "--role",
                  "admin", "--languages", "en,da"))
    assert "created admin ada@desk.example.com (#1)" in out
    with db.session() as s:
        user = s.scalar(select(User))
        assert (user.email, user.name, user.role, user.languages, user.max_tier) == (
            "ada@desk.example.com", "Ada Admin", "admin", ["en", "da"], 3)


def test_user_create_refuses_bad_input(run, db):
    _ok(run("migrate"))
    bad_role = run("user", "create", "x@desk.example.com", "--name", "X", "--role", "wizard")
    assert bad_role.exit_code != 0
    assert "role: unknown role 'wizard'" in _one_line(bad_role.output)
    _ok(run("user", "create", "x@desk.example.com", "--name", "X", "--role", "viewer"))
    twice = run("user", "create", "X@desk.example.com", "--name", "X", "--role", "viewer")
    assert twice.exit_code != 0
    assert "email: a user with e-mail x@desk.example.com exists" in _one_line(twice.output)
    no_team = run("user", "create", "y@desk.example.com", "--name", "Y", "--role", "agent",
                  "--team", "Nobody")
    assert no_team.exit_code != 0
    assert "team: no team named 'Nobody'" in _one_line(no_team.output)
    short = run("user", "create", "z@desk.example.com", "--name", "Z", "--role", "agent",
                "--password", "short")
    assert short.exit_code != 0
    assert "password: a password needs at least 12 characters" in _one_line(short.output)
    with db.session() as s:
        assert s.scalars(select(User.email)).all() == ["x@desk.example.com"]


def test_token_create_prints_a_working_token(run, db, url):
    _ok(run("migrate"))
    _ok(run("user", "create", "sam@desk.example.com", "--name", "Sam", "--role", "specialist"))
    result = run("token", "create", "sam@desk.example.com", "--scopes", "read")
    _ok(result)
    token = result.stdout.strip()
    assert token.startswith("idk_") and "\n" not in token
    api = create_app(db, Settings(database_url=url, secret_key=SECRET))
    with TestClient(api) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        assert me.json()["email"] == "sam@desk.example.com"
        # A read-only token cannot write.
        r = client.post("/api/v1/cases", json=f.flag(),
                        headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 403
        assert client.get("/api/v1/me", headers={"Authorization": "Bearer idk_nope"}
                          ).status_code == 401

    missing = run("token", "create", "nobody@desk.example.com")
    assert missing.exit_code != 0
    assert "email: no user with e-mail nobody@desk.example.com" in _one_line(missing.output)
    bad_scope = run("token", "create", "sam@desk.example.com", "--scopes", "read,root")
    assert bad_scope.exit_code != 0
    assert "scopes: unknown scope(s) ['root']" in _one_line(bad_scope.output)
    # Issue 16: no scopes is refused, never widened to read and write.
    for empty in ("", ",", " , "):
        none = run("token", "create", "sam@desk.example.com", "--scopes", empty)
        assert none.exit_code != 0, empty
        assert "scopes: name at least one scope" in _one_line(none.output)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ApiToken)) == 1


def _demo_cases(db: Database) -> list[tuple[str, str, str, int]]:
    with db.session() as s:
        return [(c.kind, c.title, c.status, c.priority)
                for c in s.scalars(select(Case).order_by(Case.id))]


def test_demo_seeds_every_role_kind_and_state(run, db):
    out = _ok(run("demo", "--cases", "40"))
    assert "seeded" in out and "password for every demo user" in out
    with db.session() as s:
        roles = set(s.scalars(select(User.role)))
        kinds = set(s.scalars(select(Case.kind)))
        statuses = set(s.scalars(select(Case.status)))
    assert roles == {r.value for r in Role}
    assert kinds == {"flag", "csm_escalation", "executive_escalation", "legal_notice",
                     "trusted_flagger_notice", "investigation", "appeal"}
    assert {"triaged", "in_progress", "closed", "merged", "waiting_on_requester",
            "waiting_on_legal"} <= statuses
    # Two calibration exercises: one closed with its results kept, one open to answer.
    with db.session() as s:
        exercises = {e.status: e for e in s.scalars(select(CalibrationExercise))}
    assert set(exercises) == {"closed", "open"}
    assert exercises["closed"].results and exercises["closed"].results["raters"] == 5
    assert "2 calibration exercises" in _one_line(out)
    # `--cases 40` opens exactly 40 (merged duplicates stay cases; linked requests are extra).
    assert "seeded 40 cases (" in _one_line(out)
    assert len(_demo_cases(db)) == 40
    again = _ok(run("demo", "--cases", "40"))
    assert "demo data already present" in again
    assert _ok(run("audit", "verify"))


def test_demo_is_deterministic(run, tmp_path):
    seqs = []
    for name in ("one.db", "two.db"):
        url = _url(tmp_path / name)
        _ok(run("demo", "--cases", "30", "--seed", "11", env={"IDESK_DATABASE_URL": url}))
        database = Database(url)
        seqs.append(_demo_cases(database))
        database.dispose()
    assert len(seqs[0]) == 30
    assert seqs[0] == seqs[1]
    other = tmp_path / "three.db"
    _ok(run("demo", "--cases", "30", "--seed", "12", env={"IDESK_DATABASE_URL": _url(other)}))
    database = Database(_url(other))
    assert _demo_cases(database) != seqs[0]  # the seed matters
    database.dispose()


def test_demo_cases_counts_cases_not_requests(run, tmp_path):
    """Issue 16: `--cases N` once seeded N requests, some of which only joined open cases."""
    assert "how many cases to open, exactly" in _one_line(_ok(run("demo", "--help")))
    for n in (0, 3, 60):
        url = _url(tmp_path / f"n{n}.db")
        out = _ok(run("demo", "--cases", str(n), env={"IDESK_DATABASE_URL": url}))
        assert f"seeded {n} cases (" in _one_line(out), out
        database = Database(url)
        assert len(_demo_cases(database)) == n
        database.dispose()


def test_audit_verify_and_checkpoint(run, db):
    _ok(run("migrate"))
    for n in range(3):
        _ok(run("user", "create", f"u{n}@desk.example.com", "--name", "U", "--role", "viewer"))
    assert "intact: 3 events in 1 chains" in _ok(run("audit", "verify"))
    assert "checkpoint #1 over 1 chains" in _ok(run("audit", "checkpoint"))
    assert "nothing changed since the last checkpoint" in _ok(run("audit", "checkpoint"))
    _ok(run("audit", "verify"))
    wrong_key = run("audit", "verify", env={"IDESK_SECRET_KEY": "not-the-key"})
    assert wrong_key.exit_code == 1
    assert "checkpoint 1: signature does not match its heads" in _one_line(wrong_key.output)

    with db.session() as s:
        target = s.scalar(select(AuditEvent).where(AuditEvent.seq == 2))
        s.execute(text("UPDATE audit_events SET payload = '{}' WHERE id = :id"),
                  {"id": target.id})
    tampered = run("audit", "verify")
    assert tampered.exit_code == 1
    assert (f"TAMPERED: event {target.id} (people #2, user.created): its content was edited"
            in _one_line(tampered.output))


def test_worker_once_runs_the_due_jobs(run, db, monkeypatch):
    # The webhook job comes due every 2 s: a slow run would meet it twice.
    monkeypatch.setenv("IDESK_WEBHOOK_POLL_SECONDS", "3600")
    _ok(run("migrate"))
    now = utcnow()
    with db.session() as s:
        case = Intake(s, now=now - timedelta(days=3), actor=SYSTEM).submit(
            TypeAdapter(CaseIn).validate_python(f.flag())).case
        s.execute(update(Case).where(Case.id == case.id).values(
            resolution_due_at=now - timedelta(minutes=1)))
    # Every periodic job once (the desk's, the two of webhooks) and the two parts the nightly
    # signals job deals out; none is due again.
    assert "ran 17 job(s)" in _ok(run("worker", "--once"))
    with db.session() as s:
        jobs: list[Any] = s.execute(select(Job.kind, Job.status).order_by(Job.id)).all()
        breaches = s.scalar(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.kind == "sla.breached"))
        checkpoints = s.scalar(select(func.count()).select_from(AuditCheckpoint))
    assert [tuple(j) for j in jobs] == [
        ("sla.sweep", "done"), ("audit.checkpoint", "done"),
        ("decisions.documentation_windows", "done"), ("decisions.restrictions_end", "done"),
        ("privacy.retention", "done"),
        ("metrics.refresh", "done"), ("webhooks.deliver", "done"), ("webhooks.prune", "done"),
        ("jobs.prune", "done"), ("routing.age", "done"), ("kpis.rollup", "done"),
        ("kpis.weekly_report", "done"), ("quality.draw", "done"),
        ("quality.calibration_close", "done"), ("signals.nightly", "done"),
        ("sla.sweep", "queued"), ("audit.checkpoint", "queued"),
        ("decisions.documentation_windows", "queued"), ("decisions.restrictions_end", "queued"),
        ("privacy.retention", "queued"),
        ("metrics.refresh", "queued"), ("webhooks.deliver", "queued"),
        ("webhooks.prune", "queued"), ("jobs.prune", "queued"), ("routing.age", "queued"),
        ("kpis.rollup", "queued"), ("kpis.weekly_report", "queued"),
        ("quality.draw", "queued"), ("quality.calibration_close", "queued"),
        ("signals.more", "done"), ("signals.more", "done"), ("signals.nightly", "queued")]
    assert (breaches, checkpoints) == (1, 1)
    assert "intact" in _ok(run("audit", "verify"))  # signed with IDESK_SECRET_KEY
    assert "ran 0 job(s)" in _ok(run("worker", "--once"))  # the next runs are not due yet
