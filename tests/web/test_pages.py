"""The HTML pages end to end: spans through /v1/traces, the jobs, then sign-in and every page over HTTP,
and every page in headless Chromium (no console errors, a screenshot each)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import text

from finops.alerts import repository as alerts_repository
from finops.db.engine import get_engine, session_scope
from finops.db.urls import libpq_url
from finops.pricing.prices import PriceVersion, Rates
from finops.pricing.service import apply_versions
from finops.recommendations import repository as recommendations_repository
from finops.web import routes
from finops.web.routes import router
from finops.workflows.rollups import process_dirty_days
from finops.workflows.service import assemble_dirty
from tests.conftest import ProjectKey, ServedApp, make_project, make_settings
from tests.otlp_builders import chat_attributes, new_span_id, new_trace_id, request, span

SECOND = 10**9
ADMIN_TOKEN = "admin-token-for-web-tests"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def web(migrated_url: str) -> Iterator[ServedApp]:
    """The real app (with an admin token) serving the pages, whether or not app.py includes the router yet."""
    served = ServedApp(migrated_url, make_settings(admin_token=ADMIN_TOKEN))
    if not any(getattr(route, "path", None) == "/ui/overview" for route in served.app.routes):
        served.app.include_router(router)
    with served:
        yield served


def export(web: ServedApp, key: str, spans: list) -> None:
    response = httpx.post(
        f"{web.url}/v1/traces",
        content=request(spans).SerializeToString(),
        headers={"content-type": "application/x-protobuf", "x-finops-api-key": key},
    )
    assert response.status_code == 200, response.text


@dataclass(frozen=True)
class Seeded:
    project: ProjectKey
    refund_runs: list[str]
    triage_run: str
    alert_id: int
    recommendation_id: int


def _attempt(web: ServedApp, key: str, start_ns: int, input_tokens: int, failed: bool) -> str:
    trace, root = new_trace_id(), new_span_id()
    export(web, key, [
        span("POST /refund", trace_id=trace, span_id=root, start_ns=start_ns, duration_ns=10 * SECOND, error=failed,
             attributes={"finops.workflow.name": "refund", "finops.team": "payments"}),
        span("chat", trace_id=trace, parent=root, start_ns=start_ns + SECOND,
             attributes=chat_attributes("acme-llm", input_tokens, 1000)),
    ])  # fmt: skip
    return trace.hex()


@pytest.fixture()
def seeded(web: ServedApp, project: ProjectKey) -> Seeded:
    """Two workflows priced with round numbers (acme-llm: $1 per 1M input tokens, $2 per 1M output tokens):

    refund (team payments): attempts of 10k, 20k, 30k input + 1k output tokens, the first two failed:
      $0.012 + $0.022 + $0.032 = $0.066 for one success.
    triage (team support): a planner agent making two calls of 50k input + 25k output tokens, the second a
      retry after an error: 2 x ($0.05 + $0.05) = $0.20, a success.
    Spend $0.266, cost per successful workflow $0.266 / 2 = $0.133, plus one firing alert and one open
    recommendation.
    """
    db = web.app.state.database_url
    version = PriceVersion(
        model="acme-llm", project_id=project.id, effective_from=datetime(2020, 1, 1, tzinfo=UTC),
        rates=Rates(input=D(1), output=D(2)),
    )  # fmt: skip
    with session_scope(db) as session:
        apply_versions(session, [version], origin="test")
    web.app.state.prices.refresh()
    start = int((datetime.now(UTC) - timedelta(hours=2)).timestamp()) * SECOND
    refunds = [
        _attempt(web, project.key, start, 10_000, failed=True),
        _attempt(web, project.key, start + 60 * SECOND, 20_000, failed=True),
        _attempt(web, project.key, start + 120 * SECOND, 30_000, failed=False),
    ]
    trace, root, agent = new_trace_id(), new_span_id(), new_span_id()
    export(web, project.key, [
        span("triage ticket", trace_id=trace, span_id=root, start_ns=start, duration_ns=30 * SECOND,
             attributes={"finops.workflow.name": "triage", "finops.team": "support", "finops.customer": "acme"}),
        span("invoke_agent planner", trace_id=trace, span_id=agent, parent=root, start_ns=start + SECOND,
             attributes={"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner"}),
        span("chat acme-llm", trace_id=trace, parent=agent, start_ns=start + 2 * SECOND, error=True,
             attributes=chat_attributes("acme-llm", 50_000, 25_000, **{"error.type": "timeout"})),
        span("chat acme-llm", trace_id=trace, parent=agent, start_ns=start + 5 * SECOND,
             attributes=chat_attributes("acme-llm", 50_000, 25_000)),
    ])  # fmt: skip
    assemble_dirty(db, timedelta(minutes=5), now=datetime.now(UTC) + timedelta(hours=1))
    process_dirty_days(db)
    with get_engine(db).begin() as conn:
        alert_id = alerts_repository.insert_alert(conn, {
            "project_id": project.id, "dedup_key": "cost-spike:project", "rule": "cost-spike",
            "detector": "cost_spike", "scope_kind": "project", "scope_value": None, "period_key": "2026-11-23T10",
            "severity": "warning", "status": "firing", "title": "Hourly cost up 240% over its usual level",
            "observed": "$12.40 in the last hour", "baseline": "$3.65", "threshold": "+50%",
            "hint": "Look at the costliest runs of the last hour.", "numbers": {"observed": "12.40", "calls": 512},
        })  # fmt: skip
        recommendations_repository.upsert(conn, project.id, {
            "key": "prompt_caching:agent:planner:acme-llm", "rule": "prompt_caching", "scope_kind": "agent",
            "scope_value": "planner", "title": "Cache the planner's stable prompt prefix",
            "monthly_savings": D("1234.56"), "confidence": "high",
            "evidence": {"calls": 4200, "prompt_p10": 3100, "cache_read_share": 0.02},
            "example_trace_ids": [trace.hex()], "risk": "A changing system prompt defeats the cache.",
            "claims": {"acme-llm:input": "1234.56"},
        })  # fmt: skip
        rec_id = conn.execute(text("SELECT id FROM recommendations")).scalar_one()
    return Seeded(project, refunds, trace.hex(), alert_id, rec_id)


def login(web: ServedApp, secret: str, project: str | None = None) -> tuple[httpx.Client, httpx.Response]:
    client = httpx.Client(base_url=web.url)
    form = client.get("/login")
    assert form.status_code == 200
    token = re.search(r'name="login_token" value="([^"]+)"', form.text).group(1)
    data = {"key": secret, "login_token": token, "next": "/ui/overview"}
    if project is not None:
        data["project"] = project
    return client, client.post("/login", data=data)


def signed_in(web: ServedApp, key: str) -> httpx.Client:
    client, response = login(web, key)
    assert response.status_code == 303 and response.headers["location"] == "/ui/overview", response.text
    return client


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_pages_need_a_session(web: ServedApp, db: str) -> None:
    home = httpx.get(f"{web.url}/")
    assert (home.status_code, home.headers["location"]) == (303, "/ui/overview")
    for path in ("/ui/overview", "/ui/workflows?outcome=failure", "/ui/alerts", "/ui/recommendations", "/ui/reports",
                 "/ui/reports/chargeback.csv?start=2026-11-01&end=2026-11-30"):  # fmt: skip
        response = httpx.get(f"{web.url}{path}")
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=/ui/"), response.headers["location"]
    assert httpx.get(f"{web.url}/ui/overview", cookies={"finops_session": "forged.cookie"}).status_code == 303
    login_page = httpx.get(f"{web.url}/login?next=/ui/alerts")
    assert login_page.status_code == 200 and 'value="/ui/alerts"' in login_page.text
    assert 'value="https://evil.example"' not in httpx.get(f"{web.url}/login?next=https://evil.example").text


def test_wrong_key_and_missing_form_token(web: ServedApp, project: ProjectKey) -> None:
    client, response = login(web, "fo_not-a-real-key")
    assert response.status_code == 401
    assert "That API key is not valid." in response.text
    assert "finops_session" not in client.cookies
    no_token = httpx.post(f"{web.url}/login", data={"key": project.key})
    assert no_token.status_code == 400 and "expired" in no_token.text
    client, response = login(web, ADMIN_TOKEN)  # the admin token needs a project name
    assert response.status_code == 400 and "name the project" in response.text
    client, response = login(web, ADMIN_TOKEN, "no-such-project")
    assert response.status_code == 400 and "no project named" in response.text


def test_session_cookie_holds_no_key_and_ends_with_the_key(web: ServedApp, project: ProjectKey) -> None:
    client, response = login(web, project.key)
    cookie = response.headers["set-cookie"]
    assert "finops_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert project.key not in cookie and project.key[3:20] not in client.cookies["finops_session"]
    assert client.get("/ui/overview").status_code == 200
    tampered = client.cookies["finops_session"].replace(".", "x.", 1)
    assert httpx.get(f"{web.url}/ui/overview", cookies={"finops_session": tampered}).status_code == 303
    with psycopg.connect(libpq_url(web.app.state.database_url), autocommit=True) as conn:
        conn.execute("UPDATE api_keys SET revoked_at = now()")
    assert client.get("/ui/overview").status_code == 303


def test_overview_numbers(web: ServedApp, seeded: Seeded) -> None:
    client = signed_in(web, seeded.project.key)
    page = client.get("/ui/overview")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    text = page.text
    assert "$0.27" in text  # spend: 0.066 + 0.2
    assert "$0.1330" in text  # cost per successful workflow: 0.266 / 2 successes
    assert "2 of 4 runs succeeded (50.0%)" in text
    assert "<svg" in text and "Daily spend" in text
    for name in ("refund", "triage", "payments", "support", "acme-llm"):
        assert name in text, name
    assert "$0.0660" in text  # refund's cost per success
    assert "75.2%" in text  # triage's share of spend: 0.2 / 0.266
    assert "Hourly cost up 240% over its usual level" in text
    assert "Cache the planner&#39;s stable prompt prefix" in text and "$1,234.56" in text
    assert "test-project" in text
    for period in ("7d", "90d", "mtd", "bogus"):
        assert client.get("/ui/overview", params={"period": period}).status_code == 200


def test_overview_empty_state(web: ServedApp, project: ProjectKey) -> None:
    text = signed_in(web, project.key).get("/ui/overview").text
    assert "No spend in this period yet." in text and "No alerts are firing." in text
    assert "No open recommendations." in text and "$0.00" in text


def test_workflows_list_filters_and_drill_down(web: ServedApp, seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    client = signed_in(web, seeded.project.key)
    text = client.get("/ui/workflows").text
    assert text.count('href="/ui/workflows/') == 4
    failures = client.get("/ui/workflows", params={"outcome": "failure"}).text
    assert failures.count('href="/ui/workflows/') == 2
    assert "$0.0120" in failures and "$0.0220" in failures and "$0.0320" not in failures
    triage = client.get("/ui/workflows", params={"name": "triage", "sort": "cost"}).text
    assert triage.count('href="/ui/workflows/') == 1 and "$0.2000" in triage
    assert "No runs match these filters." in client.get("/ui/workflows", params={"name": "nope"}).text
    monkeypatch.setattr(routes, "PAGE_SIZE", 3)  # the server runs in this process
    first = client.get("/ui/workflows").text
    assert first.count('href="/ui/workflows/') == 3 and 'href="/ui/workflows?page=2"' in first
    second = client.get("/ui/workflows", params={"page": "2"}).text
    assert second.count('href="/ui/workflows/') == 1 and "Page 2" in second and 'href="/ui/workflows?page=1"' in second
    detail = client.get(f"/ui/workflows/{seeded.triage_run}")
    assert detail.status_code == 200
    text = detail.text
    for expected in ("triage ticket", "invoke_agent planner", "planner", "acme", "support", "↻ retry", "⚠ timeout",
                     "$0.2000", "$0.1000", "in 50,000", "out 25,000"):  # fmt: skip
        assert expected in text, expected
    # the tree nests the calls under the agent under the root
    assert re.search(r"triage ticket.*?<ul>.*?invoke_agent planner.*?<ul>.*?chat acme-llm", text, re.DOTALL)
    missing = client.get("/ui/workflows/not-a-run")
    assert missing.status_code == 404 and "no workflow run" in missing.text
    trace = client.get(f"/ui/traces/{seeded.triage_run}")
    assert trace.status_code == 303 and trace.headers["location"] == f"/ui/workflows/{seeded.triage_run}"


def test_alerts_page_and_acknowledge(web: ServedApp, seeded: Seeded) -> None:
    client = signed_in(web, seeded.project.key)
    page = client.get("/ui/alerts")
    text = page.text
    for expected in ("Hourly cost up 240% over its usual level", "$12.40 in the last hour", "$3.65", "+50%",
                     "Look at the costliest runs of the last hour.", "512", "firing"):  # fmt: skip
        assert expected in text, expected
    assert "No resolved alerts." in client.get("/ui/alerts", params={"status": "resolved"}).text
    ack = f"/ui/alerts/{seeded.alert_id}/ack"
    assert client.post(ack, data={"csrf": "wrong"}).status_code == 403
    done = client.post(ack, data={"csrf": csrf_of(text)})
    assert done.status_code == 303
    assert "acknowledged" in client.get("/ui/alerts").text


def test_recommendations_accept_and_dismiss(web: ServedApp, seeded: Seeded) -> None:
    client = signed_in(web, seeded.project.key)
    text = client.get("/ui/recommendations").text
    for expected in ("Cache the planner&#39;s stable prompt prefix", "$1,234.56", "high confidence", "Prompt p10",
                     "3,100", "A changing system prompt defeats the cache.", seeded.triage_run[:12]):  # fmt: skip
        assert expected in text, expected
    action = f"/ui/recommendations/{seeded.recommendation_id}"
    assert client.post(f"{action}/accept", data={}).status_code == 403
    assert client.post(f"{action}/explode", data={"csrf": csrf_of(text)}).status_code == 404
    accepted = client.post(f"{action}/accept", data={"csrf": csrf_of(text), "back": "open"})
    assert accepted.status_code == 303
    assert "No open recommendations." in client.get("/ui/recommendations").text
    page = client.get("/ui/recommendations", params={"status": "accepted"}).text
    client.post(f"{action}/dismiss", data={"csrf": csrf_of(page), "reason": "we pin the prompt"})
    dismissed = client.get("/ui/recommendations", params={"status": "dismissed"}).text
    assert "we pin the prompt" in dismissed and "$1,234.56" in dismissed
    # another project's session cannot touch it
    other = signed_in(web, make_project(web.app.state.database_url, "other").key)
    page = other.get("/ui/recommendations").text
    assert other.post(f"{action}/accept", data={"csrf": csrf_of(page)}).status_code == 404


def test_reports_downloads(web: ServedApp, seeded: Seeded) -> None:
    client = signed_in(web, seeded.project.key)
    page = client.get("/ui/reports")
    assert page.status_code == 200 and "Chargeback CSV" in page.text and "No stored reports yet." in page.text
    today = datetime.now(UTC).date()
    period = {"start": (today - timedelta(days=2)).isoformat(), "end": today.isoformat()}
    chargeback = client.get("/ui/reports/chargeback.csv", params={**period, "group_by": "team"})
    assert chargeback.status_code == 200 and chargeback.headers["content-type"].startswith("text/csv")
    assert "attachment" in chargeback.headers["content-disposition"]
    lines = chargeback.text.splitlines()
    assert lines[0].startswith("period_start,period_end,team,calls,")
    # direct costs to the cent: support 0.20, payments 0.066 -> 0.07
    assert any(",support,2,1,1," in line and line.endswith(",0.20,0.00,0.20,USD") for line in lines), lines
    assert any(",payments,3,3,1," in line and line.endswith(",0.07,0.00,0.07,USD") for line in lines), lines
    focus = client.get("/ui/reports/focus.csv", params=period)
    assert focus.status_code == 200 and "BilledCost" in focus.text.splitlines()[0] and "acme-llm" in focus.text
    bad = client.get("/ui/reports/chargeback.csv", params={**period, "group_by": "colour"})
    assert bad.status_code == 422 and 'class="notice error"' in bad.text
    assert client.get("/ui/reports/focus.csv", params={"start": "x", "end": "y"}).status_code == 422
    year, week, _ = today.isocalendar()
    weekly = client.get("/ui/reports/weekly", params={"week": f"{year}-W{week:02d}"})
    assert weekly.status_code == 200 and "Weekly AI cost review" in weekly.text
    download = client.get("/ui/reports/weekly", params={"week": f"{year}-W{week:02d}", "download": "1"})
    assert "attachment" in download.headers["content-disposition"]
    assert client.get("/ui/reports/weekly", params={"week": "soon"}).status_code == 422


def test_admin_token_views_a_named_project(web: ServedApp, seeded: Seeded) -> None:
    client, response = login(web, ADMIN_TOKEN, "test-project")
    assert response.status_code == 303
    text = client.get("/ui/overview").text
    assert "(admin)" in text and "$0.27" in text
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    out = client.post("/logout", data={"csrf": csrf_of(text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/ui/overview").status_code == 303


PAGES = ("/ui/overview", "/ui/workflows", "/ui/workflows?outcome=failure", "/ui/alerts", "/ui/recommendations",
         "/ui/reports")  # fmt: skip


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
def test_every_page_in_a_browser(web: ServedApp, seeded: Seeded, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.goto(f"{web.url}/ui/overview")
            assert page.url.startswith(f"{web.url}/login")
            page.fill("input[name=key]", "fo_wrong")
            page.click("button[type=submit]")
            assert "That API key is not valid." in page.content()
            page.screenshot(path=str(tmp_path / "login-error.png"))
            # the refused sign-in is answered 401, which the console reports: expected, nothing else
            assert [p for p in problems if "status of 401" not in p] == []
            problems.clear()
            page.fill("input[name=key]", seeded.project.key)
            page.click("button[type=submit]")
            page.wait_for_url(f"{web.url}/ui/overview")
            run_pages = [f"/ui/workflows/{seeded.triage_run}", f"/ui/workflows/{seeded.refund_runs[0]}"]
            for index, path in enumerate([*PAGES, *run_pages]):
                response = page.goto(f"{web.url}{path}")
                assert response is not None and response.status == 200, path
                assert page.locator("h1").count() >= 1
                name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
                page.screenshot(path=str(tmp_path / f"{index:02d}-{name}.png"), full_page=True)
            # accept through the real form (CSRF token included)
            page.goto(f"{web.url}/ui/recommendations")
            page.click("form[action$='/accept'] button")
            page.wait_for_url(re.compile(r".*/ui/recommendations\?status=open$"))
            assert "No open recommendations." in page.content()
            page.click("text=Sign out")
            page.wait_for_url(re.compile(r".*/login$"))
        finally:
            browser.close()
    keep = os.environ.get("FINOPS_WEB_SCREENSHOTS")  # a directory to keep the screenshots in, for a look
    if keep:
        shutil.copytree(tmp_path, keep, dirs_exist_ok=True)
    assert problems == []
