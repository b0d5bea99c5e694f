"""The public forms: the DSA Art. 16 notice form and the Art. 20 appeal form, for people
without an account, in English, German and French.

Anonymous, so CSRF is a signed double-submit: the first page sets a random nonce in a
SameSite=Strict, HttpOnly cookie and the form carries an HMAC of it under the server key; a
post without both, matching, is refused (another site can neither read the cookie nor forge
the HMAC). Submissions are rate-limited per client address (``IDESK_PUBLIC_FORM_RATE_LIMIT``)
in the same counter storage as the API's limits. The pages need no script at all.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from datetime import date
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from integrity_desk.api.deps import SessionDep
from integrity_desk.auth.domain import new_secret, tokens_match
from integrity_desk.db import utcnow
from integrity_desk.errors import DeskError
from integrity_desk.forms import appeal, notice
from integrity_desk.forms.tokens import LinkInvalid, read_receipt_token, receipt_token
from integrity_desk.i18n import COOKIE, LANGUAGES, N_, gettext_for
from integrity_desk.web import http
from integrity_desk.web.i18n import choose
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
FORM_COOKIE = "idesk_form"
# The order of the notice form's fields, for the error summary at the top of the page.
NOTICE_FIELDS = ("sender_type", "name", "email", "organisation", "urls", "category",
                 "legal_basis", "explanation", "notice_type", "jurisdiction", "deadline",
                 "good_faith")
APPEAL_FIELDS = ("name", "email", "grounds")


def _form_token(request: Request, nonce: str) -> str:
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, b"public-form:" + nonce.encode(), hashlib.sha256).hexdigest()


def _limiter(request: Request) -> tuple[SlidingWindowCounterRateLimiter, Any]:
    state = request.app.state
    if not hasattr(state, "public_form_limiter"):
        settings = state.settings
        storage = settings.rate_limit_storage
        options = {"implementation": "redispy"} if storage.startswith("redis") else {}
        state.public_form_limiter = (
            SlidingWindowCounterRateLimiter(storage_from_string(storage, **options)),
            parse(settings.public_form_rate_limit))
    return state.public_form_limiter


def _switch(request: Request, code: str) -> str:
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    return f"{request.url.path}?{urlencode({**query, 'lang': code})}"


def _page(request: Request, name: str, lang: str, context: dict[str, Any], *,
          status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    _ = gettext_for(lang)
    nonce = request.cookies.get(FORM_COOKIE) or new_secret()
    response = render(request, name, {
        "_": _, "lang": lang, "languages": LANGUAGES,
        "switch": lambda code: _switch(request, code), "form_token": _form_token(request, nonce),
        "email_on": request.app.state.settings.email_on,
        **context}, status_code=status_code, headers=headers)
    if not request.cookies.get(FORM_COOKIE):
        response.set_cookie(FORM_COOKIE, nonce, path="/", httponly=True, samesite="strict",
                            secure=http.is_https(request), max_age=86_400)
    if request.query_params.get("lang") in LANGUAGES:  # the switch remembers the choice
        response.set_cookie(COOKIE, lang, path="/", samesite="lax", max_age=365 * 86_400,
                            secure=http.is_https(request))
    return response


def _refused(request: Request, lang: str, title: str, message: str, *, status_code: int,
             params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
             ) -> Response:
    _ = gettext_for(lang)
    return _page(request, "public/refused.html", lang, {
        "title": _(title), "message": _(message, **(params or {}))}, status_code=status_code,
        headers=headers)


def _guard(request: Request, form: dict[str, Any], lang: str) -> Response | None:
    """The CSRF check and the rate limit of a submission; a page to answer instead, or None."""
    nonce = request.cookies.get(FORM_COOKIE)
    if not nonce or not tokens_match(_form_token(request, nonce), form.get("form_token")):
        return _refused(request, lang, N_("This form has expired"), N_(
            "For your security, a form can only be sent from our own page, opened in the "
            "last 24 hours with cookies allowed. Open the form again and resend it."),
            status_code=403)
    limiter, item = _limiter(request)
    key = "public-form:" + (http.client_ip(request) or "unknown")
    if not limiter.hit(item, key):
        stats = limiter.get_window_stats(item, key)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        return _refused(request, lang, N_("Too many submissions"), N_(
            "This connection has sent too many forms in a short time. Please try again in "
            "%(minutes)s minutes."), params={"minutes": max(1, math.ceil(wait / 60))},
            status_code=429, headers={"Retry-After": str(wait)})
    return None


def _errors(lang: str, errors: dict[str, tuple[str, dict[str, Any]]], order: tuple[str, ...]
            ) -> dict[str, str]:
    _ = gettext_for(lang)
    return {name: _(errors[name][0], **errors[name][1]) for name in order if name in errors}


# -- the notice form (Art. 16) ---------------------------------------------------------------

def _notice_page(request: Request, lang: str, values: dict[str, Any],
                 errors: dict[str, str], status_code: int = 200) -> Response:
    _ = gettext_for(lang)
    territories = Locale.parse(lang).territories  # country names in the page's language
    countries = sorted(((c, territories.get(c, c)) for c in notice.EU_COUNTRIES),
                       key=lambda pair: pair[1])
    return _page(request, "public/notice.html", lang, {
        "values": values, "errors": errors, "senders": notice.SENDERS,
        "categories": [(k, _(v)) for k, v in notice.CATEGORIES.items()],
        "notice_types": [(k, _(v)) for k, v in notice.NOTICE_TYPES.items()],
        "countries": countries, "title": _("Report illegal content")},
        status_code=status_code)


@router.get("/notice")
def notice_form(request: Request) -> Response:
    return _notice_page(request, choose(request), {}, {})


@router.post("/notice")
async def send_notice(request: Request, session: SessionDep) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    lang = choose(request, form.get("lang"))
    refused = _guard(request, form, lang)
    if refused is not None:
        return refused
    checked = notice.check(form, today=date.today())
    if checked.errors:
        return _notice_page(request, lang, form, _errors(lang, checked.errors, NOTICE_FIELDS),
                            status_code=422)

    def work() -> list[str]:
        done = notice.submit(session, checked.notice, language=lang, now=utcnow())
        keys = [c.key for c in done.cases]
        return keys

    try:
        keys = await run_in_threadpool(work)
    except DeskError as exc:
        session.rollback()  # nothing of a refused submission is kept
        return _desk_error(request, lang, exc, form, NOTICE_FIELDS)
    return _received(request, lang, "notice", keys, bool(checked.notice.email))


def _desk_error(request: Request, lang: str, exc: DeskError, form: dict[str, Any],
                order: tuple[str, ...], template: str = "notice") -> Response:
    """What intake refused after the form's own checks (a suspended sender, …)."""
    _ = gettext_for(lang)
    field = (exc.field or "").split(".")[-1]
    field = field if field in order else "email" if "email" in (exc.field or "") else None
    message = _("We cannot accept this: %(reason)s", reason=exc.message)
    if exc.code == "forbidden":
        message = _("We do not process notices or appeals from this address at the moment, "
                    "because it sent manifestly unfounded ones (DSA Art. 23). Details: "
                    "%(reason)s", reason=exc.message)
    errors = {field or order[0]: message}
    if template == "notice":
        return _notice_page(request, lang, form, errors, status_code=exc.status_code)
    return _refused(request, lang, N_("We could not accept your appeal"), "%(reason)s",
                    params={"reason": message}, status_code=exc.status_code)


def _received(request: Request, lang: str, kind: str, keys: list[str], emailed: bool
              ) -> Response:
    token = receipt_token({"k": kind, "c": keys, "m": emailed},
                          settings=request.app.state.settings)
    return RedirectResponse(f"/forms/received?{urlencode({'r': token, 'lang': lang})}",
                            status_code=303)


@router.get("/forms/received")
def received(request: Request, r: str = "") -> Response:
    lang = choose(request)
    try:
        data = read_receipt_token(r, settings=request.app.state.settings)
    except LinkInvalid:
        return _refused(request, lang, N_("Page not found"), N_(
            "This confirmation page is not valid or too old. Your submission, if you sent "
            "one, is not affected."), status_code=404)
    return _page(request, "public/received.html", lang, {
        "kind": data.get("k"), "keys": data.get("c") or [], "emailed": data.get("m"),
        "title": gettext_for(lang)(N_("Received"))})


# -- the appeal form (Art. 20) ---------------------------------------------------------------

def _appeal_page(request: Request, lang: str, token: str, ctx: appeal.AppealContext,
                 values: dict[str, Any], errors: dict[str, str], status_code: int = 200
                 ) -> Response:
    return _page(request, "public/appeal.html", lang, {
        "token": token, "ctx": ctx, "role": appeal.ROLES[ctx.link.role], "values": values,
        "errors": errors, "title": gettext_for(lang)("Appeal our decision")},
        status_code=status_code)


def _open(request: Request, session: Any, token: str, lang: str
          ) -> appeal.AppealContext | Response:
    try:
        return appeal.open_link(session, token, settings=request.app.state.settings,
                                now=utcnow())
    except appeal.AppealRefused as exc:
        return _refused(request, lang, N_("This appeal link cannot be used"), exc.message,
                        params=exc.params, status_code=410 if "ended" in exc.message
                        or "expired" in exc.message else 400)


@router.get("/appeal")
def appeal_form(request: Request, session: SessionDep, t: str = "") -> Response:
    lang = choose(request)
    ctx = _open(request, session, t, lang)
    if isinstance(ctx, Response):
        return ctx
    return _appeal_page(request, lang, t, ctx, {}, {})


@router.post("/appeal")
async def send_appeal(request: Request, session: SessionDep) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    lang = choose(request, form.get("lang"))
    refused = _guard(request, form, lang)
    if refused is not None:
        return refused
    token = form.get("t", "")

    def work() -> tuple[Any, list[str] | None, dict[str, str], bool]:
        ctx = _open(request, session, token, lang)
        if isinstance(ctx, Response):
            return ctx, None, {}, False
        answers, errors = appeal.check(form)
        if errors:
            return ctx, None, _errors(lang, errors, APPEAL_FIELDS), False
        case, _ = appeal.submit(session, ctx, answers, language=lang, now=utcnow())
        key = case.key
        return ctx, [key], {}, True

    try:
        ctx, keys, errors, emailed = await run_in_threadpool(work)
    except DeskError as exc:
        session.rollback()  # nothing of a refused submission is kept
        return _desk_error(request, lang, exc, form, APPEAL_FIELDS, template="appeal")
    if isinstance(ctx, Response):
        return ctx
    if errors:
        return _appeal_page(request, lang, token, ctx, form, errors, status_code=422)
    return _received(request, lang, "appeal", keys or [], emailed)
