"""The docs agree with the code: every curl example of README.md and docs/api.md runs, in order,
against the default demo data, and the transitions they list are the ones the API performs.

Issue 16: examples named cases the demo did not have (FLG-7 was an investigation, APL-40 did
not exist) and transitions the API did not perform. Here they are executed as written — the
shell's quoting undone by shlex, `$H` an admin's token and `$H2` a manager's (README's `$H` a
specialist's, as README creates it) — and each must answer 2xx. The default demo (400 cases) is
seeded once and copied for each document (~5 s); only SQLite, as the demo's own tests.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest
from fastapi.testclient import TestClient

from integrity_desk.api.app import create_app
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.schemas import TransitionIn
from integrity_desk.db import Database
from integrity_desk.demo.seed import seed_demo
from integrity_desk.migrate import migrate
from integrity_desk.people.service import create_token, get_user_by_email
from integrity_desk.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _commands(text: str) -> Iterator[str]:
    """The curl commands of the ```sh blocks, continuation lines joined (comments dropped)."""
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        command = ""
        for line in block.splitlines():
            line = line.strip()
            if not command and not line.startswith("curl"):
                continue
            command += ("\n" if command else "") + line
            try:
                shlex.split(command, comments=True)
            except ValueError:  # an open quote: the command goes on
                continue
            yield command
            command = ""


def _request(command: str, tokens: dict[str, str]) -> tuple[str, str, dict[str, str], str | None]:
    words = shlex.split(command.replace("$API", "http://desk/api/v1")
                        .replace("localhost:8000", "http://desk"), comments=True)
    headers: dict[str, str] = {}
    method, url, body = None, "", None
    options = iter(words[1:])
    for word in options:
        if word == "-H":
            header = next(options)
            if header in ("$H", "$H2"):
                headers["Authorization"] = f"Bearer {tokens[header]}"
            else:  # $J or a literal content-type
                headers["content-type"] = "application/json"
        elif word == "-X":
            method = next(options)
        elif word == "-d":
            body = next(options)
        elif word != "-s":
            url = word.removeprefix("http://desk")
    return method or ("GET" if body is None else "POST"), url, headers, body


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = Database(f"sqlite:///{path}")
    migrate(db)
    seed_demo(db, cases=400, seed=7)  # what `idesk demo` seeds by default
    db.dispose()
    return path


@pytest.fixture
def demo(seeded: Path, tmp_path: Path) -> Iterator[Database]:
    """A fresh copy of the demo per document: each reads as if run on a new demo desk."""
    copy = tmp_path / "demo.db"
    shutil.copyfile(seeded, copy)
    db = Database(f"sqlite:///{copy}")
    yield db
    db.dispose()


@pytest.mark.parametrize(("doc", "h", "h2"), [
    ("README.md", "specialist@desk.example.com", "manager@desk.example.com"),
    ("docs/api.md", "admin@desk.example.com", "manager@desk.example.com"),
])
def test_every_curl_example_runs_on_the_demo_data(demo: Database, doc: str, h: str,
                                                 h2: str) -> None:
    with demo.session() as session:
        tokens = {var: create_token(session, user=get_user_by_email(session, email),
                                    scopes=["read", "write", "admin"], actor=SYSTEM).secret
                  for var, email in (("$H", h), ("$H2", h2))}
    app = create_app(demo, Settings(secret_key="docs-test"))
    commands = list(_commands((ROOT / doc).read_text()))
    assert len(commands) >= 4, doc
    with TestClient(app, raise_server_exceptions=False) as client:
        for command in commands:
            method, url, headers, body = _request(command, tokens)
            answer = client.request(method, url, headers=headers, content=body)
            assert answer.status_code < 300, (doc, command, answer.text)


def test_the_docs_name_exactly_the_transitions_the_api_performs() -> None:
    """Issue 16: the docs listed `decide` and `revise`, which POST …/transition refuses."""
    actions = set(get_args(TransitionIn.model_fields["action"].annotation))
    api = (ROOT / "docs/api.md").read_text()
    row = next(line for line in api.splitlines()
               if line.startswith("| `POST /cases/{key}/transition`"))
    listed = row.split("|")[3].split("(")[0]
    assert set(re.findall(r"`(\w+)`", listed)) == actions, row
    cases = " ".join((ROOT / "docs/cases.md").read_text().split())
    named = re.search(r"named actions: (.*?); waiting", cases)
    assert named is not None
    assert set(re.findall(r"`(\w+)`", named.group(1))) == actions, named.group(1)
