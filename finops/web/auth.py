"""Sessions for the pages: a signed cookie naming the project and the credential that opened it.

The cookie holds no secret: `{project id, credential, nonce, expiry}` as base64url JSON, then an
HMAC-SHA256 over it. The signing key is derived from the credential's own server-side secret:

- an API key session (`key:<api_keys.id>`) is signed with a key derived from that key's stored
  SHA-256 hash, read from the database on every request, so every worker process verifies the same
  cookie without any shared configuration, and revoking the key ends its sessions at once;
- an admin session (`admin`) is signed with a key derived from `FINOPS_ADMIN_TOKEN`, so changing or
  unsetting the token ends them.

Forms that change something carry a CSRF token: an HMAC of the session's nonce with the same key. The
login form uses a double-submit token (a random cookie repeated in a hidden field).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import text

from finops.db.engine import get_engine
from finops.projects import repository as projects

SESSION_COOKIE = "finops_session"
LOGIN_COOKIE = "finops_login"
SESSION_SECONDS = 12 * 3600
LOGIN_FORM_SECONDS = 3600
ADMIN = "admin"
_CONTEXT = b"finops-web-session-v1"


@dataclass(frozen=True, slots=True)
class WebSession:
    project_id: int
    project_name: str
    credential: str  # "key:<api key id>" or "admin"
    expires: int
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.credential == ADMIN


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _signing_key(secret: bytes) -> bytes:
    return hmac.new(secret, _CONTEXT, hashlib.sha256).digest()


def _csrf(key: bytes, nonce: str) -> str:
    return hmac.new(key, b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def _credential_secret(request: Request, project_id: int, credential: str) -> tuple[bytes, str] | None:
    """The server-side secret behind `credential` and the project's name; None when it is no longer valid."""
    engine = get_engine(request.app.state.database_url)
    if credential == ADMIN:
        token = request.app.state.settings.admin_token
        if not token:
            return None
        with engine.connect() as conn:
            name = projects.project_name(conn, project_id)
        return (b"admin:" + token.encode(), name) if name is not None else None
    kind, _, raw_id = credential.partition(":")
    if kind != "key" or not raw_id.isdigit():
        return None
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT k.key_hash, p.name FROM api_keys k JOIN projects p ON p.id = k.project_id"
                " WHERE k.id = :id AND k.project_id = :project AND k.revoked_at IS NULL"
            ),
            {"id": int(raw_id), "project": project_id},
        ).first()
    return (b"key:" + row.key_hash.encode(), row.name) if row is not None else None


def issue_session(request: Request, response: Response, project_id: int, credential: str) -> None:
    """Sign a new session into `response`'s cookie."""
    found = _credential_secret(request, project_id, credential)
    if found is None:
        raise ValueError("credential is not valid")
    payload = {
        "p": project_id,
        "c": credential,
        "n": secrets.token_urlsafe(16),
        "e": int(time.time()) + SESSION_SECONDS,
    }
    body = _b64(orjson.dumps(payload))
    signature = _b64(hmac.new(_signing_key(found[0]), body.encode(), hashlib.sha256).digest())
    response.set_cookie(
        SESSION_COOKIE, f"{body}.{signature}", max_age=SESSION_SECONDS, path="/", httponly=True, samesite="lax",
        secure=request.url.scheme == "https",
    )  # fmt: skip


def read_session(request: Request) -> WebSession | None:
    """The request's valid session, or None (missing, tampered, expired, or its credential revoked)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or cookie.count(".") != 1 or len(cookie) > 1024:
        return None
    body, signature = cookie.split(".")
    try:
        payload: dict[str, Any] = orjson.loads(_unb64(body))
        given = _unb64(signature)
        project_id, credential, nonce, expires = int(payload["p"]), str(payload["c"]), str(payload["n"]), payload["e"]
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError):
        return None
    if not isinstance(expires, int) or expires < time.time():
        return None
    found = _credential_secret(request, project_id, credential)
    if found is None:
        return None
    key = _signing_key(found[0])
    if not hmac.compare_digest(given, hmac.new(key, body.encode(), hashlib.sha256).digest()):
        return None
    return WebSession(project_id, found[1], credential, expires, _csrf(key, nonce))


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def safe_next(value: str | None) -> str:
    """Where to go after login: only a page of ours (no open redirect)."""
    if value and value.startswith("/ui/") and "//" not in value and "\\" not in value:
        return value
    return "/ui/overview"


def require_session(request: Request) -> WebSession:
    """FastAPI dependency for pages: the session, or a redirect to the login form."""
    session = read_session(request)
    if session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = "/login?next=" + quote(safe_next(target), safe="/")
        raise HTTPException(303, "sign in first", headers={"Location": location, "Cache-Control": "no-store"})
    return session


def check_csrf(session: WebSession, given: str | None) -> None:
    if not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
        raise HTTPException(403, "invalid or missing CSRF token: reload the page and try again")


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def set_login_token(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=LOGIN_FORM_SECONDS, path="/login", httponly=True, samesite="lax",
        secure=request.url.scheme == "https",
    )  # fmt: skip


def login_token_ok(request: Request, given: str | None) -> bool:
    expected = request.cookies.get(LOGIN_COOKIE)
    return bool(expected and given) and hmac.compare_digest(expected.encode(), given.encode())  # type: ignore[union-attr]


def is_admin_token(request: Request, secret: str) -> bool:
    token = request.app.state.settings.admin_token
    return bool(token) and hmac.compare_digest(secret.encode(), token.encode())


def key_id_for(request: Request, key_hash: str) -> int | None:
    with get_engine(request.app.state.database_url).connect() as conn:
        return projects.key_id_for_hash(conn, key_hash)


def project_id_named(request: Request, name: str) -> int | None:
    with get_engine(request.app.state.database_url).connect() as conn:
        return projects.project_id_named(conn, name)
