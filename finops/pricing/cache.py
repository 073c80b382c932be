"""The price catalog held in memory by each process, reloaded when the catalog revision moves."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from finops.db.engine import session_scope
from finops.pricing import repository
from finops.pricing.matching import PriceBook
from finops.pricing.service import load_book

log = logging.getLogger(__name__)


class PriceBookCache:
    """Lookups never touch the database; a background task polls one counter every few seconds."""

    def __init__(self, database_url: str, refresh_seconds: float = 5.0) -> None:
        self._database_url = database_url
        self._refresh_seconds = refresh_seconds
        self.book = PriceBook([], revision=-1)
        self._task: asyncio.Task[None] | None = None

    def refresh(self) -> bool:
        """Reload if the catalog changed; True when a new book was loaded."""
        with session_scope(self._database_url) as session:
            current = repository.revision(session)
            if current == self.book.revision:
                return False
            self.book = load_book(session)
        log.info("price catalog revision %d loaded", self.book.revision)
        return True

    async def start(self) -> None:
        try:
            await run_in_threadpool(self.refresh)
        except SQLAlchemyError:
            log.warning("price catalog not loaded yet: database unavailable", exc_info=True)
        self._task = asyncio.create_task(self._poll(), name="finops-price-refresh")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_seconds)
            try:
                await run_in_threadpool(self.refresh)
            except SQLAlchemyError as exc:
                log.warning("price catalog refresh failed: %s", exc)
