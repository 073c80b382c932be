"""Alert channels against real local HTTP servers: signed webhooks, Slack Block Kit, failure classification,
URL validation and backoff."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import random
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from finops.alerts.blockkit import slack_len, validate_block_kit
from finops.alerts.channels import (
    BUTTON_TEXT_MAX,
    DeliveryResult,
    backoff_seconds,
    encode_body,
    parse_retry_after,
    send,
    slack_payload,
    webhook_payload,
)
from finops.alerts.signing import (
    SignatureError,
    generate_secret,
    sign,
    signature_headers,
    validate_secret,
    verify,
)
from finops.alerts.types import AlertMessage, Scope, Severity
from finops.alerts.urls import validate_channel_url, validate_webhook_url

NOW = datetime(2026, 11, 23, 14, 5, 7, tzinfo=UTC)


def make_message(**overrides: object) -> AlertMessage:
    values: dict[str, object] = {
        "notification_id": "ntf_01HZX3K9",
        "alert_id": 42,
        "event": "firing",
        "project": "acme-support",
        "detector": "cost_spike",
        "scope": Scope("agent", "triager"),
        "severity": Severity.CRITICAL,
        "title": "Cost spike: agent triager +180% in the last hour",
        "observed": "$12.40",
        "baseline": "$4.43",
        "threshold": "+50% over the 4-week median for this hour of the week",
        "hint": "Look at the model mix of agent triager: gpt-4.1 calls doubled since 13:00 UTC.",
        "numbers": {"calls": 1830, "cost_usd": Decimal("12.400000"), "since": datetime(2026, 11, 23, 13, tzinfo=UTC)},
        "fired_at": datetime(2026, 11, 23, 14, 0, tzinfo=UTC),
        "link": "https://finops.example.com/alerts/42",
    }
    values.update(overrides)
    return AlertMessage(**values)  # type: ignore[arg-type]


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as http_client:
        yield http_client


# ------------------------------------------------------------------------------------------------ signing


def test_sign_matches_hmac_computed_by_hand() -> None:
    key = bytes(range(32))
    secret = "whsec_" + base64.b64encode(key).decode()
    body = b'{"type":"alert.firing","data":{"alert_id":42}}'
    # The signed content is "{id}.{timestamp}.{body}", HMAC-SHA256 with the decoded key, base64, "v1," prefix.
    expected = "v1," + base64.b64encode(hmac.new(key, b"ntf_1.1700000000." + body, hashlib.sha256).digest()).decode()
    assert sign(secret, "ntf_1", 1700000000, body) == expected


def test_sign_reproduces_the_standard_webhooks_published_vector() -> None:
    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_generate_secret_is_whsec_and_32_random_bytes() -> None:
    first, second = generate_secret(), generate_secret()
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32
    assert first != second
    assert validate_secret(first) == first


@pytest.mark.parametrize(
    "secret",
    [
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  # no whsec_ prefix
        "whsec_not base64!",
        "whsec_" + base64.b64encode(b"short").decode(),  # 5 bytes < 24
        "whsec_" + base64.b64encode(bytes(65)).decode(),  # 65 bytes > 64
    ],
)
def test_validate_secret_rejects_malformed_secrets(secret: str) -> None:
    with pytest.raises(SignatureError) as caught:
        validate_secret(secret)
    assert secret not in str(caught.value)


def test_verify_accepts_rotation_and_rejects_bad_input() -> None:
    old, new = generate_secret(), generate_secret()
    body = b'{"x":1}'
    headers = signature_headers(new, "ntf_9", body, NOW)
    assert headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    verify(new, headers, body, NOW)
    # Key rotation: the header lists the old and the new signature; a receiver holding either accepts.
    rotated = dict(headers)
    rotated["webhook-signature"] = f"{sign(old, 'ntf_9', int(NOW.timestamp()), body)} {headers['webhook-signature']}"
    verify(old, rotated, body, NOW)
    verify(new, rotated, body, NOW)
    # Header names are case-insensitive.
    verify(new, {name.upper(): value for name, value in headers.items()}, body, NOW)

    with pytest.raises(SignatureError, match="no webhook signature matches"):
        verify(old, headers, body, NOW)
    with pytest.raises(SignatureError, match="missing"):
        verify(new, {k: v for k, v in headers.items() if k != "webhook-signature"}, body, NOW)
    with pytest.raises(SignatureError, match="too old"):
        verify(new, headers, body, NOW + timedelta(seconds=301))
    verify(new, headers, body, NOW + timedelta(seconds=300))  # the boundary is inside the tolerance
    with pytest.raises(SignatureError, match="future"):
        verify(new, headers, body, NOW - timedelta(seconds=301))
    with pytest.raises(SignatureError, match="whsec_"):
        verify("not-a-secret", headers, body, NOW)


def test_signature_errors_never_contain_the_secret() -> None:
    secret = generate_secret()
    headers = signature_headers(secret, "ntf_1", b"{}", NOW)
    for call in (
        lambda: verify(secret, headers, b"{ }", NOW),
        lambda: verify(secret, headers, b"{}", NOW + timedelta(hours=1)),
        lambda: sign(secret + "!", "ntf_1", 1, b"{}"),
    ):
        with pytest.raises(SignatureError) as caught:
            call()
        assert secret not in str(caught.value)
        assert secret.removeprefix("whsec_") not in str(caught.value)


# ------------------------------------------------------------------------------------------------ webhook


def test_webhook_is_delivered_signed_and_verifiable(httpserver: HTTPServer, client: httpx.Client) -> None:
    secret = generate_secret()
    httpserver.expect_request("/hooks/finops", method="POST").respond_with_data("ok", status=204)
    message = make_message()

    result = send("webhook", httpserver.url_for("/hooks/finops"), secret, message, client=client, now=NOW)

    assert result == DeliveryResult(ok=True, status=204, error=None, retry_after=None, permanent=False)
    (request, _), *_ = httpserver.log
    body = request.get_data()
    headers = dict(request.headers)
    assert request.headers["webhook-id"] == "ntf_01HZX3K9"
    assert request.headers["content-type"] == "application/json"
    verify(secret, headers, body, NOW + timedelta(seconds=3))  # the receiver's clock is a little later

    payload = json.loads(body)
    assert payload["type"] == "alert.firing"
    assert payload["timestamp"] == "2026-11-23T14:00:00Z"
    assert payload["data"]["alert_id"] == 42
    assert payload["data"]["scope"] == {"kind": "agent", "value": "triager", "label": "agent triager"}
    assert payload["data"]["severity"] == "critical"
    assert payload["data"]["numbers"] == {"calls": 1830, "cost_usd": "12.400000", "since": "2026-11-23T13:00:00Z"}

    with pytest.raises(SignatureError):
        verify(secret, headers, body.replace(b"12.400000", b"0.000001"), NOW)  # tampered body
    with pytest.raises(SignatureError, match="too old"):
        verify(secret, headers, body, NOW + timedelta(minutes=10))  # replayed later


def test_webhook_id_is_stable_across_retries(httpserver: HTTPServer, client: httpx.Client) -> None:
    secret = generate_secret()
    httpserver.expect_ordered_request("/h").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/h").respond_with_data("ok")
    message = make_message()

    first = send("webhook", httpserver.url_for("/h"), secret, message, client=client, now=NOW)
    later = NOW + timedelta(seconds=30)
    second = send("webhook", httpserver.url_for("/h"), secret, message, client=client, now=later)

    assert (first.ok, first.permanent, second.ok) == (False, False, True)
    (req1, _), (req2, _) = httpserver.log
    assert req1.headers["webhook-id"] == req2.headers["webhook-id"] == message.notification_id
    assert req1.get_data() == req2.get_data()  # same body; only the timestamp and signature move
    assert req2.headers["webhook-timestamp"] == str(int(later.timestamp()))
    verify(secret, dict(req2.headers), req2.get_data(), later)


def test_webhook_payload_types_and_resolved_event() -> None:
    payload = webhook_payload(make_message(event="resolved", baseline=None, link=None, scope=Scope("project")))
    assert payload["type"] == "alert.resolved"
    assert payload["data"]["baseline"] is None
    assert payload["data"]["scope"] == {"kind": "project", "value": None, "label": "project"}
    assert payload["data"]["observed"] == "$12.40"
    json.loads(encode_body(payload))  # serialisable as-is


def test_webhook_without_secret_is_a_permanent_failure(client: httpx.Client) -> None:
    result = send("webhook", "http://127.0.0.1:9/x", None, make_message(), client=client, now=NOW)
    assert (result.ok, result.permanent, result.status) == (False, True, None)
    assert "signing secret" in (result.error or "")


# -------------------------------------------------------------------------------------------------- Slack


def test_slack_payload_is_delivered_and_valid_block_kit(httpserver: HTTPServer, client: httpx.Client) -> None:
    httpserver.expect_request("/services/T000/B000/XXXX", method="POST").respond_with_data("ok")
    url = httpserver.url_for("/services/T000/B000/XXXX")

    result = send("slack", url, None, make_message(), client=client, now=NOW)

    assert result.ok and result.status == 200
    (request, _), *_ = httpserver.log
    assert "webhook-signature" not in request.headers
    payload = json.loads(request.get_data())
    validate_block_kit(payload)
    assert [block["type"] for block in payload["blocks"]] == ["header", "section", "section", "context", "actions"]
    header = payload["blocks"][0]["text"]
    assert header == {
        "type": "plain_text",
        "text": "🚨 Cost spike: agent triager +180% in the last hour",
        "emoji": True,
    }
    fields = [field["text"] for field in payload["blocks"][1]["fields"]]
    assert fields[:5] == [
        "*Scope*\nagent triager",
        "*Observed*\n$12.40",
        "*Baseline*\n$4.43",
        "*Threshold*\n+50% over the 4-week median for this hour of the week",
        "*Severity*\n🔥 critical",
    ]
    assert "*cost_usd*\n12.400000" in fields
    assert payload["blocks"][4]["elements"][0]["url"] == "https://finops.example.com/alerts/42"
    assert "Cost spike" in payload["text"] and "acme-support" in payload["text"]


def test_slack_payload_resolved_without_link_or_hint() -> None:
    payload = slack_payload(make_message(event="resolved", link=None, hint="  ", baseline=None))
    validate_block_kit(payload)
    assert payload["blocks"][0]["text"]["text"].startswith("✅ Resolved: ")
    assert [block["type"] for block in payload["blocks"]] == ["header", "section", "context"]


def test_slack_payload_truncates_and_escapes_hostile_content() -> None:
    message = make_message(
        title="<!channel> " + "x" * 400,
        hint="&" * 5000,
        threshold="🔥" * 3000,
        numbers={f"n{i}": Decimal(i) for i in range(20)},
        link="https://finops.example.com/" + "a" * 3100,  # too long for a button: left out, never cut
    )
    payload = slack_payload(message)
    validate_block_kit(payload)
    header = payload["blocks"][0]["text"]["text"]
    assert slack_len(header) <= 150 and header.endswith("…")
    assert len(payload["blocks"][1]["fields"]) == 10
    hint = payload["blocks"][2]["text"]["text"]
    assert slack_len(hint) <= 3000 and hint.endswith("&amp;…")  # no half entity before the ellipsis
    assert "<!channel>" not in payload["text"] and "&lt;!channel&gt;" in payload["text"]
    assert all(block["type"] != "actions" for block in payload["blocks"])


def _valid_payload() -> dict:
    return slack_payload(make_message())


@pytest.mark.parametrize(
    ("breakage", "error"),
    [
        (lambda p: p["blocks"][0]["text"].update(text="h" * 151), r"blocks\[0\]\.text\.text: 151 characters"),
        (lambda p: p["blocks"].append({"type": "carousel"}), "unknown or unsupported block type 'carousel'"),
        (lambda p: p["blocks"][1].update(fields=[{"type": "mrkdwn", "text": f"f{i}"} for i in range(11)]), "11 items"),
        (lambda p: p["blocks"][0]["text"].update(type="mrkdwn"), "must be plain_text"),
        (lambda p: p["blocks"][2]["text"].update(type="markdown"), "must be plain_text or mrkdwn"),
        (lambda p: p["blocks"][2]["text"].update(text="s" * 3001), "3001 characters, at most 3000"),
        (lambda p: p["blocks"][1]["fields"][0].update(text="f" * 2001), "2001 characters, at most 2000"),
        (lambda p: p["blocks"][4]["elements"][0]["text"].update(text="b" * (BUTTON_TEXT_MAX + 1)), "76 characters"),
        (lambda p: p["blocks"][4]["elements"][0].update(url="javascript:alert(1)"), "http"),
        (lambda p: p["blocks"][4]["elements"][0].pop("text"), r"\.text: is required"),
        (lambda p: p["blocks"][1].pop("fields"), "needs text or fields"),
        (lambda p: p.pop("text"), "fallback text is required"),
        (lambda p: p["blocks"].extend([{"type": "divider"}] * 46), "51 blocks, at most 50"),
        (lambda p: p["blocks"][3].update(elements=[]), "non-empty list"),
        (lambda p: p["blocks"][0]["text"].update(text=""), "non-empty string"),
    ],
)
def test_validate_block_kit_rejects_broken_payloads(breakage, error: str) -> None:
    payload = copy.deepcopy(_valid_payload())
    validate_block_kit(payload)
    breakage(payload)
    with pytest.raises(ValueError, match=error):
        validate_block_kit(payload)


# ---------------------------------------------------------------------------------------- failure classes


@pytest.mark.parametrize("kind", ["webhook", "slack"])
def test_server_error_is_retryable(httpserver: HTTPServer, client: httpx.Client, kind: str) -> None:
    httpserver.expect_request("/h").respond_with_data("boom", status=500)
    result = send(kind, httpserver.url_for("/h"), generate_secret(), make_message(), client=client, now=NOW)
    assert (result.ok, result.status, result.permanent, result.retry_after) == (False, 500, False, None)
    assert result.retryable
    assert result.error == f"HTTP 500 from http://{httpserver.host}:{httpserver.port}: boom"


def test_429_with_retry_after_is_retryable_and_honoured(httpserver: HTTPServer, client: httpx.Client) -> None:
    httpserver.expect_request("/h").respond_with_data("slow down", status=429, headers={"Retry-After": "120"})
    result = send("slack", httpserver.url_for("/h"), None, make_message(), client=client, now=NOW)
    assert (result.ok, result.status, result.permanent, result.retry_after) == (False, 429, False, 120.0)


def test_retry_after_http_date_and_garbage() -> None:
    assert parse_retry_after("Mon, 23 Nov 2026 14:06:07 GMT", NOW) == 60.0
    assert parse_retry_after("Mon, 23 Nov 2026 14:00:00 GMT", NOW) == 0.0  # in the past: retry now
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


@pytest.mark.parametrize(("status", "permanent"), [(404, True), (400, True), (410, True), (408, False), (503, False)])
def test_status_classification(httpserver: HTTPServer, client: httpx.Client, status: int, permanent: bool) -> None:
    httpserver.expect_request("/h").respond_with_data("no", status=status)
    result = send("webhook", httpserver.url_for("/h"), generate_secret(), make_message(), client=client, now=NOW)
    assert (result.ok, result.status, result.permanent) == (False, status, permanent)


def test_redirect_is_not_followed_and_is_permanent(httpserver: HTTPServer, client: httpx.Client) -> None:
    httpserver.expect_request("/h").respond_with_data("", status=302, headers={"Location": "http://169.254.169.254/"})
    result = send("webhook", httpserver.url_for("/h"), generate_secret(), make_message(), client=client, now=NOW)
    assert (result.ok, result.status, result.permanent) == (False, 302, True)
    assert len(httpserver.log) == 1


def test_connection_refused_is_retryable(client: httpx.Client) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has nothing listening now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = send("webhook", f"http://127.0.0.1:{port}/h", generate_secret(), make_message(), client=client, now=NOW)
    assert (result.ok, result.status, result.permanent) == (False, None, False)
    assert result.error and result.error.startswith(f"cannot reach http://127.0.0.1:{port}")


def test_slow_server_times_out_and_is_retryable(httpserver: HTTPServer, client: httpx.Client) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("late")

    httpserver.expect_request("/h").respond_with_handler(slow)
    result = send("slack", httpserver.url_for("/h"), None, make_message(), client=client, now=NOW, timeout=0.2)
    assert (result.ok, result.status, result.permanent) == (False, None, False)
    assert "within 0.2 s" in (result.error or "")


def test_errors_never_contain_secret_or_url_path_and_query(httpserver: HTTPServer, client: httpx.Client) -> None:
    secret = generate_secret()
    path = "/services/T1/B2/sekrit-token"
    # A receiver that echoes everything back in its error body.
    httpserver.expect_request(path).respond_with_handler(
        lambda request: Response(f"{request.url} {request.headers.get('webhook-signature')} {secret}", status=400)
    )
    url = httpserver.url_for(path) + "?token=abc123"
    for kind in ("webhook", "slack"):
        result = send(kind, url, secret, make_message(), client=client, now=NOW)
        assert result.permanent and result.error
        for leaked in (secret, secret.removeprefix("whsec_"), "sekrit-token", "abc123"):
            assert leaked not in result.error


def test_large_error_body_is_read_only_in_part(httpserver: HTTPServer, client: httpx.Client) -> None:
    httpserver.expect_request("/h").respond_with_data("e" * 5_000_000, status=502)
    result = send("slack", httpserver.url_for("/h"), None, make_message(), client=client, now=NOW)
    assert (result.status, result.permanent) == (502, False)
    assert result.error is not None and len(result.error) < 300


def test_unknown_kind_and_unsupported_scheme_are_permanent(client: httpx.Client) -> None:
    assert send("pager", "https://example.com/", None, make_message(), client=client, now=NOW).permanent
    result = send("slack", "ftp://example.com/x", None, make_message(), client=client, now=NOW)
    assert (result.ok, result.permanent) == (False, True)


# --------------------------------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("url", "allow_private", "error"),
    [
        ("https://hooks.example.com/finops", False, None),
        ("http://93.184.216.34:8080/hook", False, None),
        ("http://127.0.0.1:8000/hook", True, None),
        ("http://localhost/hook", True, None),
        ("ftp://example.com/hook", False, "http:// or https://"),
        ("example.com/hook", False, "http:// or https://"),
        ("https:///hook", False, "no host"),
        ("https://user:pass@example.com/hook", False, "credentials"),
        ("https://token@example.com/hook", True, "credentials"),
        ("https://example.com/" + "a" * 2100, False, "longer than 2048"),
        ("https://exa mple.com/", False, "whitespace"),
        ("https://example.com:99999/", False, "malformed"),
        ("http://localhost:8000/hook", False, "local host"),
        ("http://api.localhost/hook", False, "local host"),
        ("http://LOCALHOST./hook", False, "local host"),
        ("http://127.0.0.1/hook", False, "loopback, private"),
        ("http://127.1/hook", False, "loopback, private"),
        ("http://2130706433/hook", False, "loopback, private"),
        ("http://10.0.0.5/hook", False, "loopback, private"),
        ("http://192.168.1.10/hook", False, "loopback, private"),
        ("http://172.16.0.1/hook", False, "loopback, private"),
        ("http://169.254.169.254/latest/meta-data", False, "loopback, private"),
        ("http://0.0.0.0/hook", False, "loopback, private"),
        ("http://[::1]/hook", False, "loopback, private"),
        ("http://[fd00::1]/hook", False, "loopback, private"),
        ("http://[fe80::1]/hook", False, "loopback, private"),
        ("http://[::ffff:127.0.0.1]/hook", False, "loopback, private"),
    ],
)
def test_validate_webhook_url(url: str, allow_private: bool, error: str | None) -> None:
    if error is None:
        assert validate_webhook_url(f"  {url} ", allow_private=allow_private) == url
    else:
        with pytest.raises(ValueError, match=error):
            validate_webhook_url(url, allow_private=allow_private)


@pytest.mark.parametrize(
    ("kind", "url", "allow_private", "error"),
    [
        ("slack", "https://hooks.slack.com/services/T000/B000/XXXX", False, None),
        ("slack", "http://127.0.0.1:5000/services/T/B/X", True, None),
        ("slack", "http://hooks.slack.com/services/T000/B000/XXXX", False, "https://hooks.slack.com/"),
        ("slack", "https://hooks.slack.com.evil.example/services/x", False, "https://hooks.slack.com/"),
        ("slack", "https://example.com/services/T000/B000/XXXX", False, "https://hooks.slack.com/"),
        ("slack", "https://hooks.slack.com:8443/services/x", False, "https://hooks.slack.com/"),
        ("slack", "https://hooks.slack.com/", False, "no path"),
        ("webhook", "https://example.com/services/T000", False, None),
        ("webhook", "http://10.1.2.3/h", False, "private"),
        ("pagerduty", "https://example.com/", False, "unknown channel kind"),
    ],
)
def test_validate_channel_url(kind: str, url: str, allow_private: bool, error: str | None) -> None:
    if error is None:
        assert validate_channel_url(kind, url, allow_private=allow_private) == url
    else:
        with pytest.raises(ValueError, match=error):
            validate_channel_url(kind, url, allow_private=allow_private)


# ------------------------------------------------------------------------------------------------ backoff


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [
        (0, 5.0),  # 5 * 2**0
        (1, 10.0),  # 5 * 2**1
        (3, 40.0),  # 5 * 2**3
        (7, 640.0),  # 5 * 2**7
        (8, 900.0),  # 5 * 2**8 = 1280, capped at 900
        (500, 900.0),  # huge attempts stay at the cap without overflowing
    ],
)
def test_backoff_full_jitter_stays_within_bounds(attempt: int, ceiling: float) -> None:
    rng = random.Random(1234)
    delays = [backoff_seconds(attempt, rng=rng) for _ in range(2000)]
    assert all(0.0 <= delay <= ceiling for delay in delays)
    assert max(delays) > 0.9 * ceiling  # full jitter spreads over the whole range ...
    assert min(delays) < 0.1 * ceiling  # ... down to almost zero


def test_backoff_uses_base_and_cap_and_rejects_negative_attempts() -> None:
    assert backoff_seconds(2, base=1, cap=3, rng=random.Random(0)) <= 3.0  # min(3, 1 * 2**2) = 3
    assert backoff_seconds(2, base=1, cap=100, rng=random.Random(0)) <= 4.0  # min(100, 1 * 2**2) = 4
    with pytest.raises(ValueError):
        backoff_seconds(-1)
