"""Typed errors. Each maps to one clear HTTP status or CLI message at the edge."""

from __future__ import annotations


class FinopsError(Exception):
    """Base of every error finops raises on purpose."""


class ConfigError(FinopsError):
    """The configuration is incomplete or contradictory."""


class NotFoundError(FinopsError):
    """A named thing (project, call, ...) does not exist."""


class ConflictError(FinopsError):
    """The thing being created exists already."""


class AuthError(FinopsError):
    """Missing or invalid credentials."""


class DatabaseUnavailable(FinopsError):
    """Postgres cannot be reached right now; the caller should retry later."""


class WriterSaturated(FinopsError):
    """The ingest write queue is full; the exporter should retry later."""
