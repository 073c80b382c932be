"""Declarative base whose constraint names follow Postgres' own style, so autogenerate is stable."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "pk": "%(table_name)s_pkey",
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "%(table_name)s_%(constraint_name)s_check",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def import_all_models() -> None:
    """Import every models module so Base.metadata knows all tables (for Alembic)."""
    import finops.alerts.models
    import finops.ingest.models
    import finops.jobs.models
    import finops.pricing.models
    import finops.projects.models
    import finops.recommendations.models
    import finops.reports.models
    import finops.workflows.models
    import finops.workflows.rollup_models  # noqa: F401
