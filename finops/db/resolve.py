"""Which database this process uses: FINOPS_DATABASE_URL, or the embedded server."""

from __future__ import annotations

from finops.config import Settings
from finops.db.embedded import start_embedded
from finops.db.urls import sqlalchemy_url


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return sqlalchemy_url(settings.database_url)
    return start_embedded(settings.data_dir)
