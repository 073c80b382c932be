"""Engines and sessions. Services never commit; the request or job that calls them does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from finops.db.urls import sqlalchemy_url


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    return create_engine(
        sqlalchemy_url(url),
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        # UTC sessions: day and hour boundaries in SQL are UTC's whatever the server's default.
        connect_args={"connect_timeout": 5, "application_name": "finops", "options": "-c timezone=UTC"},
    )


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session committed when the block succeeds and rolled back when it raises."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
