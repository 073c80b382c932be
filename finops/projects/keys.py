"""API key generation and hashing (pure)."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "fo_"


def generate_key() -> str:
    # 32 random bytes: far beyond guessing, so storing a plain SHA-256 of the key is safe.
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    """The first characters, stored in clear so a user can tell their keys apart."""
    return key[:10]
