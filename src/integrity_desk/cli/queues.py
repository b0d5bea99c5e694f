"""`idesk queue routing SLUG …`: a queue's routing settings, shown or changed as a new version
(docs/routing.md).

Run on the server by whoever holds its database URL, so it acts as the system and is audited
as such. One transaction; a refusal names its field and exits with status 2.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from integrity_desk.cli.common import database, fail, lazy
from integrity_desk.errors import DeskError, InvalidInput

audit = lazy("integrity_desk.audit.service")
settings = lazy("integrity_desk.routing.settings")

queue_app = typer.Typer(help="Queues: their routing settings.", no_args_is_help=True)
out = Console()


def _history_table(history: list[settings.SettingsVersion]) -> Table:
    table = Table("version", "mode", "certifications", "quality weight", "ageing / h",
                  "affinity", "changed", "by", "note", title="Routing settings, newest first")
    for v in history:
        s = v.settings
        table.add_row(str(s.version), s.mode, ", ".join(s.required_certifications) or "–",
                      f"{s.quality_weight:g}", f"{s.ageing_per_hour:g}",
                      "on" if s.affinity else "off", f"{v.changed_at:%Y-%m-%d %H:%M}",
                      v.changed_by or "system", v.note or "")
    return table


@queue_app.command("routing")
def routing(
    slug: str,
    show: Annotated[bool, typer.Option("--show", help="show the settings and their history")
                    ] = False,
    mode: Annotated[str | None, typer.Option(help="pull or push")] = None,
    require_certification: Annotated[list[str] | None, typer.Option(
        "--require-certification", help="a certification whoever works the queue must hold "
        "(repeat for more); replaces the list")] = None,
    no_certifications: Annotated[bool, typer.Option(
        "--no-certifications", help="require no certification")] = False,
    quality_weight: Annotated[float | None, typer.Option(help="0-1")] = None,
    ageing_per_hour: Annotated[float | None, typer.Option(
        help="priority steps a waiting case gains an hour")] = None,
    affinity: Annotated[bool | None, typer.Option(
        "--affinity/--no-affinity", help="same business or reviewer, same person")] = None,
    note: Annotated[str | None, typer.Option(help="why the settings change (required)")
                    ] = None,
) -> None:
    """Show the queue's routing settings (--show), or change them as a new version."""
    changes: dict[str, Any] = {k: v for k, v in (
        ("mode", mode), ("quality_weight", quality_weight),
        ("ageing_per_hour", ageing_per_hour), ("affinity", affinity)) if v is not None}
    if require_certification:
        changes["required_certifications"] = list(require_certification)
    elif no_certifications:
        changes["required_certifications"] = []
    try:
        with database().session() as session:
            if not show:
                if not changes:
                    raise InvalidInput("name a setting to change, or --show", field="settings")
                settings.change_routing_settings(session, actor=audit.SYSTEM, slug=slug,
                                                 changes=changes, note=note)
            out.print(_history_table(settings.settings_history(session, slug)))
    except DeskError as exc:
        fail(exc)
