"""Entry point uvicorn imports in each worker process (`finops serve` sets FINOPS_DATABASE_URL)."""

from __future__ import annotations

from fastapi import FastAPI

from finops.api.app import create_app
from finops.config import Settings
from finops.errors import ConfigError


def app_from_env() -> FastAPI:
    settings = Settings()
    if not settings.database_url:
        raise ConfigError("FINOPS_DATABASE_URL is not set; start the service with `finops serve`")
    return create_app(settings, settings.database_url)
