"""`idesk` starts without loading what its commands need (issue 26, start-up): the desk's
services, SQLAlchemy, numpy and the fraud signals' libraries load when a command runs, so
`idesk --help` starts in ~0.35 s instead of 2.1 s (docs/benchmarks.md). Checked by what a fresh
process has imported, which does not swing with the machine's load as a stopwatch does."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sqlalchemy", "numpy", "scipy", "datasketch", "igraph", "statsmodels", "pydantic_settings",
         "integrity_desk.db", "integrity_desk.audit.service", "integrity_desk.signals.service")


def test_the_command_line_loads_no_service_until_a_command_runs() -> None:
    # A module the command line will load lazily sits in sys.modules unloaded, as a
    # _LazyModule, until a command touches it.
    probe = ("import json, sys, integrity_desk.cli.main; "
             f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules "
             "and type(sys.modules[m]).__name__ != '_LazyModule']))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout) == []


def test_help_lists_every_command_group() -> None:
    done = subprocess.run([sys.executable, "-m", "integrity_desk.cli.main", "--help"],
                          capture_output=True, text=True, check=True)
    for group in ("user", "dsa", "signals", "staffing", "routing", "evidence", "precedents"):
        assert group in done.stdout
