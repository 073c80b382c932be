"""The ASGI application: OTLP receiver, read API and (later) pages, with the writer and scheduler."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from finops import __version__
from finops.alerts.routes import router as alerts_router
from finops.api import metrics
from finops.api.auth import ProjectAuthenticator
from finops.calls.routes import router as calls_router
from finops.config import Settings
from finops.db.engine import get_engine
from finops.db.urls import libpq_url
from finops.errors import AuthError, ConflictError, DatabaseUnavailable, NotFoundError
from finops.ingest.routes import router as ingest_router
from finops.ingest.writer import SpanWriter
from finops.jobs.scheduler import start_scheduler
from finops.pricing.cache import PriceBookCache
from finops.pricing.routes import router as prices_router
from finops.recommendations.routes import router as recommendations_router
from finops.reports.routes import router as reports_router
from finops.web.routes import router as web_router
from finops.workflows.routes import router as workflows_router

log = logging.getLogger(__name__)


def create_app(settings: Settings, database_url: str, *, run_scheduler: bool | None = None) -> FastAPI:
    """Build the app for `database_url` (already migrated)."""
    with_scheduler = settings.scheduler_enabled if run_scheduler is None else run_scheduler

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        writer = SpanWriter(
            libpq_url(database_url),
            max_batch_spans=settings.writer_max_batch_spans,
            max_pending_spans=settings.writer_max_pending_spans,
            keep_all_spans=settings.keep_all_spans,
        )
        await writer.start()
        app.state.writer = writer
        prices = PriceBookCache(database_url, settings.price_refresh_seconds)
        await prices.start()
        app.state.prices = prices
        scheduler = start_scheduler(database_url) if with_scheduler else None
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await prices.stop()
            await writer.stop()

    app = FastAPI(
        title="finops",
        version=__version__,
        description="FinOps for AI agents: OTLP in, cost per successful workflow out.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database_url = database_url
    app.state.authenticator = ProjectAuthenticator(database_url, settings.auth_cache_seconds)
    app.include_router(ingest_router)
    app.include_router(calls_router)
    app.include_router(prices_router)
    app.include_router(workflows_router)
    app.include_router(alerts_router)
    app.include_router(reports_router)
    app.include_router(recommendations_router)
    app.include_router(web_router)

    @app.get("/healthz", tags=["ops"], summary="Liveness: the process answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], summary="Readiness: the database answers")
    def readyz() -> JSONResponse:
        try:
            with get_engine(database_url).connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except SQLAlchemyError as exc:
            log.warning("not ready: %s", exc)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics of this process")
    def prometheus_metrics() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    @app.exception_handler(AuthError)
    async def auth_error(_: Request, exc: AuthError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(NotFoundError)
    async def not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(ConflictError)
    async def conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(DatabaseUnavailable)
    async def unavailable(_: Request, exc: DatabaseUnavailable) -> JSONResponse:
        headers = {"Retry-After": str(settings.retry_after_seconds)}
        return JSONResponse({"detail": str(exc)}, status_code=503, headers=headers)

    return app
