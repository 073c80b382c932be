"""Validation of channel destination URLs (Slack incoming webhooks, generic webhooks).

SSRF guard: unless ``allow_private`` is set, IP literals that point inside the host or the private network
(loopback, RFC 1918, link-local such as the cloud metadata address 169.254.169.254, unique-local, ...) and
``localhost`` names are rejected. This checks the URL as written, not what a name resolves to: a public name
that resolves to a private address is only stopped by an egress proxy or network policy, which production
deployments should have anyway (Standard Webhooks, "Server side request forgery").
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
SLACK_HOST = "hooks.slack.com"
CHANNEL_KINDS = ("slack", "webhook")


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names literally, including the legacy IPv4 forms (``127.1``, ``0x7f.0.0.1``,
    ``2130706433``) that resolvers still accept; None for a DNS name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefx." for c in host) and host[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for anything that is not a plain public unicast address (loopback, RFC 1918, link-local, CGNAT,
    unique-local, multicast, reserved, and IPv4 embedded in IPv6 that is one of those)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None and _is_internal(embedded):
            return True
    return (
        not address.is_global
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_unspecified
        or address.is_reserved
        or address.is_multicast
    )


def validate_webhook_url(url: str, *, allow_private: bool) -> str:
    """Return ``url`` (stripped of surrounding whitespace) if it is an acceptable webhook destination, else
    raise ``ValueError`` saying why. ``allow_private`` admits loopback/private hosts (tests, on-prem receivers)."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError("the URL is empty")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise ValueError("the URL contains whitespace or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"the URL is malformed: {error}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("the URL must start with http:// or https://")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValueError("the URL must not contain credentials (user:password@); use the signing secret instead")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValueError("the URL has no host")
    if port == 0:
        raise ValueError("the URL has an invalid port 0")
    if not allow_private:
        if host == "localhost" or host.endswith(".localhost"):
            raise ValueError(f"the URL points at {host!r}, a local host; private destinations are not allowed")
        address = _ip_literal(host)
        if address is not None and _is_internal(address):
            raise ValueError(
                f"the URL points at {address}, a loopback, private, link-local or reserved address; "
                "private destinations are not allowed"
            )
    return url


def validate_channel_url(kind: str, url: str, *, allow_private: bool) -> str:
    """Validate a destination for a channel ``kind`` (``slack`` or ``webhook``). Slack URLs must be
    ``https://hooks.slack.com/...`` unless ``allow_private`` (tests point Slack at a local server)."""
    if kind not in CHANNEL_KINDS:
        raise ValueError(f"unknown channel kind {kind!r}; expected one of {', '.join(CHANNEL_KINDS)}")
    url = validate_webhook_url(url, allow_private=allow_private)
    if kind == "slack" and not allow_private:
        parts = urlsplit(url)
        if parts.scheme.lower() != "https" or (parts.hostname or "").rstrip(".") != SLACK_HOST or parts.port:
            raise ValueError(f"a Slack incoming-webhook URL must start with https://{SLACK_HOST}/")
        if parts.path in ("", "/"):
            raise ValueError(
                "the Slack incoming-webhook URL has no path (expected https://hooks.slack.com/services/...)"
            )
    return url
