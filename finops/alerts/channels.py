"""Alert channels: render an ``AlertMessage`` for Slack (Block Kit) or as a signed generic webhook, and
deliver it once over HTTP, classifying the outcome for the notification outbox (delivered / retry / give up).

Rendering and classification are pure; ``send`` does one POST and never raises for HTTP problems.
Secrets (signing secrets, and Slack webhook URLs, whose path *is* the credential) never reach error strings.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import httpx

from finops.alerts.blockkit import (
    BUTTON_TEXT_MAX,
    BUTTON_URL_MAX,
    FALLBACK_TEXT_MAX,
    FIELD_TEXT_MAX,
    HEADER_TEXT_MAX,
    MAX_FIELDS,
    SECTION_TEXT_MAX,
    slack_len,
)
from finops.alerts.signing import SignatureError, signature_headers
from finops.alerts.types import AlertMessage, Severity

SLACK = "slack"
WEBHOOK = "webhook"


ELLIPSIS = "…"
EVENT_EMOJI = {"firing": "🚨", "resolved": "✅"}
SEVERITY_EMOJI = {Severity.INFO: "ℹ️", Severity.WARNING: "⚠️", Severity.CRITICAL: "🔥"}
USER_AGENT = "finops-alerts/1"
ERROR_BODY_SNIPPET = 200  # characters of an error body kept in the error string
ERROR_BODY_BYTES = 4096


# --------------------------------------------------------------------------------------------- text helpers


def _truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-16 units, ending with an ellipsis when cut."""
    if slack_len(text) <= limit:
        return text
    budget = limit - slack_len(ELLIPSIS)
    out: list[str] = []
    used = 0
    for char in text:
        width = slack_len(char)
        if used + width > budget:
            break
        out.append(char)
        used += width
    return "".join(out).rstrip() + ELLIPSIS


def _escape(text: str) -> str:
    """Slack's mandatory escaping for mrkdwn: stops user data from forming links or @channel mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _truncate_escaped(text: str, limit: int) -> str:
    """Truncate already-escaped mrkdwn without leaving half an entity (``&am…``) behind."""
    cut = _truncate(text, limit)
    if cut == text:
        return text
    body = cut[: -len(ELLIPSIS)]
    amp = body.rfind("&")
    if amp != -1 and ";" not in body[amp:]:
        body = body[:amp]
    return body.rstrip() + ELLIPSIS


def _mrkdwn(text: str, limit: int) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _truncate_escaped(text, limit)}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _truncate(text, limit), "emoji": True}


def _field(label: str, value: str) -> dict[str, Any]:
    value = value.strip() or "—"
    return {"type": "mrkdwn", "text": _truncate_escaped(f"*{_escape(label)}*\n{_escape(value)}", FIELD_TEXT_MAX)}


def _display(value: Any) -> str:
    """A number or value as a person reads it in Slack (Decimals exactly, datetimes ISO UTC)."""
    safe = _json_safe(value)
    return safe if isinstance(safe, str) else json.dumps(safe, ensure_ascii=False, separators=(", ", ": "))


# -------------------------------------------------------------------------------------------------- Slack


def slack_payload(message: AlertMessage) -> dict[str, Any]:
    """A Slack incoming-webhook body: a ``text`` fallback (used by notifications) and Block Kit ``blocks``."""
    resolved = message.event == "resolved"
    emoji = EVENT_EMOJI.get(message.event, "🔔")
    prefix = "Resolved: " if resolved else ""
    scope = message.scope.label()
    severity = str(message.severity.value if isinstance(message.severity, Enum) else message.severity)

    fallback = (
        f"{emoji} {prefix}[{severity.upper()}] {message.title} · {message.project} · {scope}: "
        f"observed {message.observed}" + (f", baseline {message.baseline}" if message.baseline is not None else "")
    )

    fields = [
        _field("Scope", scope),
        _field("Observed", message.observed),
        _field("Baseline", message.baseline if message.baseline is not None else "—"),
        _field("Threshold", message.threshold),
        _field("Severity", f"{SEVERITY_EMOJI.get(message.severity, '')} {severity}".strip()),
    ]
    for key, value in message.numbers.items():
        if len(fields) >= MAX_FIELDS:
            break
        fields.append(_field(str(key), _display(value)))

    fired = _utc(message.fired_at)
    fired_text = f"<!date^{int(fired.timestamp())}^{{date_short_pretty}} {{time}}|{_iso(fired)}>"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(f"{emoji} {prefix}{message.title}", HEADER_TEXT_MAX)},
        {"type": "section", "fields": fields},
    ]
    if message.hint.strip():
        blocks.append(
            {"type": "section", "text": _mrkdwn(f"*What to look at first*\n{_escape(message.hint)}", SECTION_TEXT_MAX)}
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                _mrkdwn(f"Project *{_escape(message.project)}*", SECTION_TEXT_MAX),
                _mrkdwn(f"Detector `{_escape(message.detector)}`", SECTION_TEXT_MAX),
                _mrkdwn(f"Alert #{message.alert_id} fired {fired_text}", SECTION_TEXT_MAX),
            ],
        }
    )
    if _usable_link(message.link):
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": _plain("View alert", BUTTON_TEXT_MAX),
                        "url": message.link,
                        "action_id": "finops_open_alert",
                    }
                ],
            }
        )
    return {"text": _truncate_escaped(_escape(fallback), FALLBACK_TEXT_MAX), "blocks": blocks}


def _usable_link(link: str | None) -> bool:
    # A cut URL would be a wrong link: a link over the limit is left out rather than truncated.
    return bool(link) and link.startswith(("https://", "http://")) and slack_len(link) <= BUTTON_URL_MAX


# ------------------------------------------------------------------------------------- Block Kit validator


def webhook_payload(message: AlertMessage) -> dict[str, Any]:
    """The generic JSON body, Standard Webhooks style: ``{"type", "timestamp", "data"}``.

    ``type`` is ``alert.<event>``; ``timestamp`` is ``message.fired_at`` (ISO 8601 UTC) so the body is identical
    on every retry; Decimals are strings (exact), datetimes ISO 8601 UTC."""
    data = {
        "notification_id": message.notification_id,
        "alert_id": message.alert_id,
        "event": message.event,
        "project": message.project,
        "detector": message.detector,
        "scope": {"kind": message.scope.kind, "value": message.scope.value, "label": message.scope.label()},
        "severity": _json_safe(message.severity),
        "title": message.title,
        "observed": message.observed,
        "baseline": message.baseline,
        "threshold": message.threshold,
        "hint": message.hint,
        "numbers": _json_safe(message.numbers),
        "fired_at": _iso(message.fired_at),
        "link": message.link,
    }
    return {"type": f"alert.{message.event}", "timestamp": _iso(message.fired_at), "data": data}


def encode_body(payload: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON: the exact bytes that are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _utc(moment: datetime) -> datetime:
    # Project convention: time is UTC; a naive datetime is taken to be UTC already.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return _utc(moment).isoformat().replace("+00:00", "Z")


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return _json_safe(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_json_safe(item) for item in items]
    return str(value)


# -------------------------------------------------------------------------------------------------- delivery


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """One delivery attempt. ``ok`` delivered; else ``permanent`` says whether retrying can help, and
    ``retry_after`` (seconds) is the receiver's Retry-After when it sent one."""

    ok: bool
    status: int | None
    error: str | None
    retry_after: float | None
    permanent: bool

    @property
    def retryable(self) -> bool:
        return not self.ok and not self.permanent


def send(
    kind: str,
    url: str,
    secret: str | None,
    message: AlertMessage,
    *,
    client: httpx.Client,
    now: datetime,
    timeout: float = 10.0,
) -> DeliveryResult:
    """POST ``message`` to one channel and classify the outcome; never raises for HTTP or network problems.

    ``kind`` is ``slack`` or ``webhook``. Webhooks carry Standard Webhooks headers with ``webhook-id`` =
    ``message.notification_id`` (stable across retries) and require ``secret``. Redirects are not followed
    (a 3xx is a permanent failure: fix the URL). The URL is not validated here; validate it when the channel
    is configured (``finops.alerts.urls.validate_channel_url``)."""
    target = _safe_target(url)
    headers = {"content-type": "application/json", "user-agent": USER_AGENT}
    if kind == SLACK:
        body = encode_body(slack_payload(message))
    elif kind == WEBHOOK:
        if not secret:
            return _failure(None, f"webhook channel for {target} has no signing secret", permanent=True)
        body = encode_body(webhook_payload(message))
        try:
            headers.update(signature_headers(secret, message.notification_id, body, now))
        except SignatureError as error:  # the message never contains the secret itself
            return _failure(None, f"cannot sign webhook for {target}: {error}", permanent=True)
    else:
        return _failure(None, f"unknown channel kind {kind!r}", permanent=True)

    try:
        with client.stream(
            "POST", url, content=body, headers=headers, timeout=timeout, follow_redirects=False
        ) as response:
            ok = 200 <= response.status_code < 300
            # Only a bounded prefix of an error body is read: a receiver cannot make us buffer megabytes.
            prefix = b"" if ok else _read_prefix(response, ERROR_BODY_BYTES)
            return classify_response(
                response.status_code, response.headers.get("retry-after"), _decode(prefix),
                now=now, target=target, url=url, secret=secret,
            )  # fmt: skip
    except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError) as error:
        return _failure(None, f"invalid request to {target}: {type(error).__name__}", permanent=True)
    except httpx.TimeoutException as error:
        return _failure(None, f"no answer from {target} within {timeout:g} s ({type(error).__name__})", False)
    except httpx.TransportError as error:
        detail = _clean(f"{type(error).__name__}: {error}", url, secret)
        return _failure(None, f"cannot reach {target}: {detail}", permanent=False)
    except httpx.HTTPError as error:
        detail = _clean(f"{type(error).__name__}: {error}", url, secret)
        return _failure(None, f"delivery to {target} failed: {detail}", permanent=False)


def classify_response(
    status: int,
    retry_after: str | None,
    body_prefix: str,
    *,
    now: datetime,
    target: str,
    url: str = "",
    secret: str | None = None,
) -> DeliveryResult:
    """2xx delivered; 408, 429 and 5xx retryable (with Retry-After); 3xx and other 4xx permanent."""
    if 200 <= status < 300:
        return DeliveryResult(ok=True, status=status, error=None, retry_after=None, permanent=False)
    snippet = _clean(" ".join(body_prefix.split())[:ERROR_BODY_SNIPPET], url, secret)
    error = f"HTTP {status} from {target}" + (f": {snippet}" if snippet else "")
    if status in (408, 429) or 500 <= status < 600:
        return DeliveryResult(
            ok=False, status=status, error=error, retry_after=parse_retry_after(retry_after, now), permanent=False
        )
    if 300 <= status < 400:
        error += " (redirects are not followed; update the channel URL)"
    return DeliveryResult(ok=False, status=status, error=error, retry_after=None, permanent=True)


def _read_prefix(response: httpx.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent or invalid."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = (_utc(when) - _utc(now)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def backoff_seconds(attempt: int, *, base: float = 5, cap: float = 900, rng: random.Random | None = None) -> float:
    """Delay before retry number ``attempt`` (0 for the first retry): exponential backoff with full jitter,
    uniform in ``[0, min(cap, base * 2**attempt)]``."""
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    ceiling = cap if attempt >= 64 else min(cap, base * 2**attempt)
    return (rng if rng is not None else _RNG).uniform(0, ceiling)


_RNG = random.Random()


def _failure(status: int | None, error: str, permanent: bool) -> DeliveryResult:
    return DeliveryResult(ok=False, status=status, error=error, retry_after=None, permanent=permanent)


def _safe_target(url: str) -> str:
    """``scheme://host[:port]`` only: a Slack webhook's path is its credential, and queries may hold tokens."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid URL>"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme or '?'}://{host}{port}"


def _clean(text: str, url: str, secret: str | None) -> str:
    """Remove the URL (beyond scheme://host) and the secret from a message that may echo them."""
    if url:
        text = text.replace(url, _safe_target(url))
        try:
            parts = urlsplit(url) if "://" in url else None
        except ValueError:
            parts = None
        if parts is not None:
            for piece in (parts.path if len(parts.path) > 1 else "", parts.query):
                if piece:
                    text = text.replace(piece, "<redacted>")
    if secret:
        text = text.replace(secret, "<redacted>")
        key_part = secret.removeprefix("whsec_")
        if key_part:
            text = text.replace(key_part, "<redacted>")
    return text
