"""Standard Webhooks signatures (symmetric, HMAC-SHA256), for outgoing alert webhooks.

Scheme (https://www.standardwebhooks.com, spec/standard-webhooks.md):

- secrets are written ``whsec_<base64>``; the HMAC key is the base64-decoded part;
- the signed content is ``{webhook-id}.{webhook-timestamp}.{body}`` (raw body bytes);
- ``webhook-signature`` is a space-separated list of ``v1,<base64 HMAC-SHA256>`` (several during key rotation);
- receivers reject timestamps outside a tolerance (replay protection) and dedupe on ``webhook-id``.

Secrets never appear in messages raised here, nor in logs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime

from finops.errors import FinopsError

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"
DEFAULT_TOLERANCE_SECONDS = 300
SECRET_BYTES = 32
MIN_KEY_BYTES = 24  # the spec asks for at least 192 bits ...
MAX_KEY_BYTES = 64  # ... and at most 512


class SignatureError(FinopsError):
    """A webhook signature, its headers or its secret are missing, malformed, stale or wrong."""


def generate_secret() -> str:
    """A fresh signing secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def validate_secret(secret: str) -> str:
    """Return ``secret`` if it is a usable ``whsec_`` secret (24 to 64 key bytes), else raise ``SignatureError``.
    Use it when a user supplies a secret, so a bad one fails at configuration time rather than at delivery."""
    _key(secret)
    return secret


def _key(secret: str) -> bytes:
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise SignatureError(f"a webhook secret must start with {SECRET_PREFIX!r}")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("a webhook secret must be whsec_ followed by valid base64") from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise SignatureError(f"a webhook secret key must be {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes long")
    return key


def _check_id(msg_id: str) -> None:
    # The id is part of the signed content; a '.' in it would make the content ambiguous.
    if not msg_id or "." in msg_id or any(c.isspace() for c in msg_id):
        raise SignatureError("a webhook id must be non-empty and contain no '.' or whitespace")


def _digest(key: bytes, msg_id: str, timestamp: int, body: bytes) -> bytes:
    content = f"{msg_id}.{int(timestamp)}.".encode() + body
    return hmac.new(key, content, hashlib.sha256).digest()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one secret: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``."""
    _check_id(msg_id)
    digest = _digest(_key(secret), msg_id, timestamp, body)
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def signature_headers(secret: str, msg_id: str, body: bytes, now: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for sending ``body`` at ``now`` (naive datetimes are UTC)."""
    timestamp = _unix_seconds(now)
    return {
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: sign(secret, msg_id, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Check a received webhook; raise ``SignatureError`` unless one ``v1`` signature matches and the timestamp
    is within ``tolerance_seconds`` of ``now`` (either direction). Header names are matched case-insensitively."""
    lowered = {str(name).lower(): value for name, value in headers.items()}
    missing = [name for name in (HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE) if not lowered.get(name)]
    if missing:
        raise SignatureError(f"missing webhook header(s): {', '.join(missing)}")
    msg_id = lowered[HEADER_ID]
    _check_id(msg_id)
    raw_timestamp = lowered[HEADER_TIMESTAMP].strip()
    if not raw_timestamp.isdigit():
        raise SignatureError("webhook-timestamp must be an integer number of unix seconds")
    timestamp = int(raw_timestamp)
    age = _unix_seconds(now) - timestamp
    if age > tolerance_seconds:
        raise SignatureError(f"webhook-timestamp is too old ({age} s, tolerance {tolerance_seconds} s)")
    if -age > tolerance_seconds:
        raise SignatureError(f"webhook-timestamp is too far in the future ({-age} s, tolerance {tolerance_seconds} s)")
    expected = _digest(_key(secret), msg_id, timestamp, body)
    for candidate in lowered[HEADER_SIGNATURE].split():
        version, sep, encoded = candidate.partition(",")
        if not sep or version != SIGNATURE_VERSION:
            continue  # another scheme (e.g. v1a), not ours to check
        try:
            received = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(received, expected):
            return
    raise SignatureError("no webhook signature matches")


def _unix_seconds(moment: datetime) -> int:
    # Project convention: times are UTC, so a naive datetime is read as UTC (never as local time).
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
