"""Project API keys: `Authorization: Bearer <key>` or `x-finops-api-key: <key>`."""

from __future__ import annotations

import time

from fastapi import Request
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from finops.db.engine import session_scope
from finops.errors import AuthError, DatabaseUnavailable
from finops.projects.keys import hash_key
from finops.projects.repository import project_id_for_key_hash

API_KEY_HEADER = "x-finops-api-key"


def presented_key(headers: dict[str, str] | object) -> str | None:
    get = headers.get  # type: ignore[attr-defined]
    key = get(API_KEY_HEADER)
    if key:
        return key.strip()
    authorization = get("authorization") or ""
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


class ProjectAuthenticator:
    """Resolves keys to project ids, remembering verified keys briefly to spare a query per export."""

    def __init__(self, database_url: str, cache_seconds: float) -> None:
        self._database_url = database_url
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[int, float]] = {}

    async def project_id(self, key: str | None) -> int:
        if not key:
            raise AuthError("missing API key: send 'Authorization: Bearer <key>' or 'x-finops-api-key'")
        key_hash = hash_key(key)
        cached = self._cache.get(key_hash)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            project_id = await run_in_threadpool(self._lookup, key_hash)
        except OperationalError as exc:
            raise DatabaseUnavailable("the database is unreachable") from exc
        if project_id is None:
            self._cache.pop(key_hash, None)
            raise AuthError("invalid API key")
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key_hash] = (project_id, now + self._cache_seconds)
        return project_id

    def _lookup(self, key_hash: str) -> int | None:
        with session_scope(self._database_url) as session:
            return project_id_for_key_hash(session, key_hash)


async def require_project(request: Request) -> int:
    """FastAPI dependency: the project whose key the request carries."""
    authenticator: ProjectAuthenticator = request.app.state.authenticator
    return await authenticator.project_id(presented_key(request.headers))
