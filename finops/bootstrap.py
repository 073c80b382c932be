"""Bringing a database up to date: schema migrations, then the shipped price catalog."""

from __future__ import annotations

from finops.db.engine import session_scope
from finops.db.migrate import upgrade
from finops.pricing.repository import lock_catalog
from finops.pricing.service import ApplyResult, install_shipped_catalog


def prepare_database(database_url: str) -> ApplyResult:
    """Idempotent: safe on every start of every replica."""
    upgrade(database_url)
    with session_scope(database_url) as session:
        lock_catalog(session)  # replicas starting together install it once
        return install_shipped_catalog(session)
