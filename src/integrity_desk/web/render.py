"""Templates and how a page is answered: never cached, with the signed-in person's CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from integrity_desk import __version__
from integrity_desk.access.domain import Action, allows
from integrity_desk.triage.harm import harm_words

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "–"


def _may(viewer: Any, action: str) -> bool:
    """Whether the signed-in person's role may perform the action (e.g. to show a nav link)."""
    return viewer is not None and allows(viewer.user.role, Action(action))


def countdown(due: datetime | None, now: datetime | None = None) -> str:
    """The words static/clock.js writes every second: "2 d 03:05:09 left", "overdue by
    00:03:10"; a dash without a due time."""
    if due is None:
        return "–"
    seconds = int((due - (now or datetime.now(UTC))).total_seconds())
    days, rest = divmod(abs(seconds), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    text = (f"{days} d " if days else "") + f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{text} left" if seconds >= 0 else f"overdue by {text}"


def iso(moment: datetime | None) -> str | None:
    """An instant as the browser's Date.parse reads it (UTC, with Z)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


templates.env.filters["when"] = _when
templates.env.filters["countdown"] = countdown
templates.env.filters["iso"] = lambda moment: iso(moment) or ""
templates.env.globals["may"] = _may


def _thousands(value: int) -> str:
    return f"{value:,}"


templates.env.filters["thousands"] = _thousands
templates.env.filters["harm_words"] = harm_words
templates.env.globals["version"] = __version__


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A page or fragment. Pages carry personal data and CSRF tokens: no cache keeps them."""
    context = dict(context or {})
    viewer = context.get("viewer")
    context.setdefault("csrf_token", viewer.csrf_token if viewer else None)
    response = templates.TemplateResponse(request, name, context, status_code=status_code,
                                          headers=headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
