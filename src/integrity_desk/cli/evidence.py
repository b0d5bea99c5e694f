"""`idesk evidence export CASE` and `idesk evidence verify BUNDLE`: the proof of a case, as a
ZIP for counsel or a regulator, and the check that a bundle is whole and the desk's own."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from integrity_desk.cli.common import console, database, fail, lazy
from integrity_desk.errors import DeskError

audit = lazy("integrity_desk.audit.service")
db_module = lazy("integrity_desk.db")

evidence_app = typer.Typer(help="Evidence bundles of cases (docs/investigations.md#evidence).",
                           no_args_is_help=True)


@evidence_app.command("export")
def export(
    case: Annotated[str, typer.Argument(help="the case's key, e.g. INV-12")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="where to write the ZIP (default: its own name, here)")] = None,
) -> None:
    """Write the case's evidence bundle and record its SHA-256 on the case's timeline."""
    from sqlalchemy import true

    from integrity_desk.cases.repository import case_by_key
    from integrity_desk.evidence import bundle

    db = database()
    try:
        with db.session() as session:
            found = case_by_key(session, case, true())
            built = bundle.export(session, found,
                                  actor=audit.Actor(None, f"cli:{getpass.getuser()}"),
                                  now=db_module.utcnow())
    except DeskError as error:
        fail(error)
    # Written once the export is on the record: a bundle on disk is always one the desk knows.
    target = out or Path(built.filename)
    try:
        target.write_bytes(built.data)
    except OSError as error:
        fail(f"out: cannot write {target}: {error.strerror}")
    console.print(f"{target}: {built.files} files, {built.snapshots} snapshots, "
                  f"{len(built.data):,} bytes")
    typer.echo(f"sha256 {built.sha256}")


@evidence_app.command("verify")
def verify(
    path: Annotated[Path, typer.Argument(help="the bundle (ZIP)")],
    offline: Annotated[bool, typer.Option(
        help="check the bundle alone, not whether this desk recorded exporting it")] = False,
) -> None:
    """Check a bundle: every file against the manifest, every snapshot against its hash, the
    timeline's hash chain, and (unless --offline) that the desk exported it. Exit 1 if not."""
    from integrity_desk.evidence.verify import against_desk, verify_bytes

    try:
        data = path.read_bytes()
    except OSError as error:
        fail(f"bundle: cannot read {path}: {error.strerror}")
    report = verify_bytes(data)
    if not offline and report.chain:
        with database().session() as session:
            against_desk(session, report)
    table = Table("check", "", "detail", title=f"{path.name} ({report.case or 'no case'})")
    for check in report.checks:
        table.add_row(check.name, "[green]ok[/green]" if check.ok else "[red]FAILED[/red]",
                      check.detail)
    console.print(table)
    typer.echo(f"sha256 {report.sha256}")
    if not report.ok:
        console.print("[red]the bundle does not verify[/red]")
        raise typer.Exit(1)
    console.print("[green]the bundle verifies[/green]")
