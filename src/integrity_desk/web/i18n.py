"""The language of a public page: the switch, the cookie it set, Accept-Language, English."""

from __future__ import annotations

from fastapi import Request

from integrity_desk.i18n import COOKIE, LANGUAGES, SOURCE


def accepted(header: str | None) -> list[str]:
    """The languages of an Accept-Language header, most wanted first ("de-AT" → "de")."""
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((header or "").split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, n, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(ranked)]


def choose(request: Request, explicit: str | None = None) -> str:
    """An explicit choice (the switch, or the form's own field), then the cookie the switch
    set, then Accept-Language, then English."""
    for wanted in (explicit, request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if wanted in LANGUAGES:
            return wanted
    for wanted in accepted(request.headers.get("accept-language")):
        if wanted in LANGUAGES:
            return wanted
    return SOURCE
