"""The HTTP application: JSON API under /api/v1, one error format everywhere."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from integrity_desk import __version__
from integrity_desk.api.deps import Myself
from integrity_desk.api.hardening import BodyLimits, RateLimits, SecurityHeaders
from integrity_desk.configuration.service import desk_config
from integrity_desk.db import Database
from integrity_desk.errors import DeskError
from integrity_desk.settings import Settings, get_settings
from integrity_desk.wiring import wire

log = logging.getLogger("integrity_desk")


def _field(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    # Discriminated unions put the kind in the location (body.flag.review.ref): drop it.
    return ".".join(parts) or "body"


def create_app(db: Database | None = None, settings: Settings | None = None) -> FastAPI:
    wire()  # the webhook listener and SQLite's functions, before the first request
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Load the configuration snapshot once, so the first requests find it cached."""
        try:
            with app.state.db.session() as session:
                desk_config(session)
        except Exception:  # an unmigrated database: requests will say so themselves
            log.warning("configuration not loaded at start-up (is the database migrated?)")
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="Integrity Desk", version=__version__,
        description="Escalations and investigations desk for content-integrity teams.",
        # The bundled Swagger UI loads from a CDN; the console ships its own assets instead.
        # The document itself is served below, behind authentication like every other route.
        docs_url=None, redoc_url=None, openapi_url=None,
    )
    from integrity_desk.api.hardening import InputGuard, bounded_params
    from integrity_desk.intake.api import BATCH_BODY_BYTES
    from integrity_desk.reviewdata.api import IMPORT_BODY_BYTES

    # Added innermost first: the headers also go on a 413 or a 429; the guard reads bodies
    # already limited in size.
    app.add_middleware(InputGuard, item_lists={"/api/v1/cases/batch": "items"})
    app.add_middleware(BodyLimits, default=settings.max_body_bytes,
                       routes={"/api/v1/cases/batch": BATCH_BODY_BYTES,
                               **{f"/api/v1/imports/{kind}": IMPORT_BODY_BYTES
                                  for kind in ("reviews", "businesses", "reviewers", "flags")}})
    app.add_middleware(RateLimits, per_token=settings.rate_limit_per_token,
                       per_address=settings.rate_limit_per_address,
                       storage=settings.rate_limit_storage)
    app.add_middleware(SecurityHeaders)
    app.state.db = db or Database(settings.database_url, pool_size=settings.db_pool_size)
    app.state.settings = settings

    @app.exception_handler(DeskError)
    async def desk_error(_: Request, exc: DeskError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse({"error": exc.to_dict()}, status_code=exc.status_code,
                            headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for e in exc.errors():
            loc = tuple(e.get("loc", ()))
            if e.get("type") == "union_tag_invalid" or (
                len(loc) > 1 and loc[0] == "body" and loc[1] in _KINDS
            ):
                loc = ("body", *loc[2:]) if len(loc) > 1 and loc[1] in _KINDS else loc
            errors.append({"field": _field(loc), "message": e.get("msg", "invalid")})
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        return JSONResponse(
            {"error": {"code": "invalid", "field": first["field"],
                       "message": f"{first['field']}: {first['message']}", "errors": errors}},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "error")
        error = {"code": code, "message": str(exc.detail)}
        if exc.status_code == 413:
            error["field"] = "body"
        return JSONResponse({"error": error},
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(OverflowError)  # SQLite's driver, for an integer beyond 64 bits
    @app.exception_handler(DataError)
    async def unstorable(request: Request, exc: Exception) -> JSONResponse:
        """A value the database refuses (NUL characters, numbers out of range) is bad input,
        not a crash; routes validate what they can name, this is the net under them."""
        log.info("refused unstorable input on %s %s: %s", request.method, request.url.path,
                 type(getattr(exc, "orig", exc)).__name__)
        return JSONResponse({"error": {
            "code": "invalid", "field": "request",
            "message": "a value is out of range or holds characters that cannot be stored "
                       "(such as NUL)"}}, status_code=422)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": {"code": "internal", "message": "internal error"}},
                            status_code=500)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document(_: Myself) -> JSONResponse:
        """The OpenAPI document, for a token or a signed-in session only: it maps every
        route, field and limit of the desk, which is no business of an anonymous caller.
        Every role may read it (`self`, like one's own account): each needs it to call."""
        return JSONResponse(app.openapi())

    from integrity_desk.audit.api import router as audit_router
    from integrity_desk.cases.api import router as cases_router
    from integrity_desk.decisions.api import router as decisions_router
    from integrity_desk.decisions.appeal_api import router as appeals_router
    from integrity_desk.dsa.flagger_api import router as flaggers_router
    from integrity_desk.evidence.api import router as evidence_router
    from integrity_desk.growth.api import router as growth_router
    from integrity_desk.intake.api import router as intake_router
    from integrity_desk.investigations.api import router as investigations_router
    from integrity_desk.kpis.api import router as kpis_router
    from integrity_desk.kpis.funnel_api import router as funnel_router
    from integrity_desk.kpis.scorecard_api import router as scorecard_router
    from integrity_desk.messages.api import router as messages_router
    from integrity_desk.misuse.api import router as misuse_router
    from integrity_desk.people.api import router as people_router
    from integrity_desk.people.person_api import router as person_router
    from integrity_desk.people.vendor_api import router as workforce_router
    from integrity_desk.policy_questions.api import router as policy_questions_router
    from integrity_desk.precedents.api import router as precedents_router
    from integrity_desk.privacy.api import router as privacy_router
    from integrity_desk.quality.api import router as quality_router
    from integrity_desk.quality.calibration_api import router as calibration_router
    from integrity_desk.reviewdata.api import router as imports_router
    from integrity_desk.routing.api import router as routing_router
    from integrity_desk.search.api import router as search_router
    from integrity_desk.signals.api import router as signals_router
    from integrity_desk.sla.api import router as sla_router
    from integrity_desk.sops.api import router as sops_router
    from integrity_desk.staffing.api import router as staffing_router
    from integrity_desk.triage.api import router as triage_router
    from integrity_desk.webhooks.api import router as webhooks_router

    for router in (intake_router, cases_router, decisions_router, appeals_router, audit_router,
                   routing_router, triage_router, sla_router, people_router, workforce_router,
                   person_router, misuse_router, privacy_router, flaggers_router,
                   messages_router, search_router, webhooks_router, kpis_router,
                   scorecard_router, funnel_router, quality_router,
                   sops_router, policy_questions_router, calibration_router,
                   growth_router, imports_router, signals_router, evidence_router,
                   investigations_router, precedents_router, staffing_router):
        app.include_router(router, prefix="/api/v1", dependencies=[Depends(bounded_params)])
    from integrity_desk.web.app import mount_web

    mount_web(app)  # the console: pages, static files, error pages
    return app


_KINDS = {"flag", "csm_escalation", "executive_escalation", "appeal", "legal_notice",
          "trusted_flagger_notice", "investigation"}
