"""`idesk queue routing SLUG …` on a migrated SQLite file: shows the settings with their
history, changes them as a new version with a note, and names the field it refuses."""

from __future__ import annotations

import pytest
from rich.console import Console

from integrity_desk.cli import queues
from tests.cli.conftest import Run


@pytest.fixture
def run(run: Run, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setattr(queues, "out", Console(width=240))
    assert run("migrate").exit_code == 0
    return run


def test_routing_settings_from_the_command_line(run: Run) -> None:
    shown = run("queue", "routing", "flags", "--show")
    assert shown.exit_code == 0, shown.output
    assert "pull" in shown.output and "0.25" in shown.output
    changed = run("queue", "routing", "flags", "--mode", "push", "--require-certification",
                  "dsa-legal", "--require-certification", "de-native", "--no-affinity",
                  "--ageing-per-hour", "0.5", "--note", "Legal training first")
    assert changed.exit_code == 0, changed.output
    assert "de-native, dsa-legal" in changed.output and "Legal training first" in changed.output
    shown = run("queue", "routing", "flags", "--show")
    lines = [line for line in shown.output.splitlines() if "│" in line and "push" in line]
    assert lines and "off" in lines[0] and "0.5" in lines[0]
    refused = run("queue", "routing", "flags", "--quality-weight", "3", "--note", "why")
    assert refused.exit_code == 2 and "quality_weight" in refused.output
    unnoted = run("queue", "routing", "flags", "--mode", "pull")
    assert unnoted.exit_code == 2 and "change_note" in unnoted.output
    nothing = run("queue", "routing", "flags", "--note", "why")
    assert nothing.exit_code == 2 and "--show" in nothing.output
    missing = run("queue", "routing", "nope", "--show")
    assert missing.exit_code == 2 and "no queue" in missing.output
