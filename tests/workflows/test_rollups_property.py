"""Property: after the rollup job, rollups say exactly what a direct aggregation over raw calls says."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finops.db.urls import libpq_url
from finops.workflows.rollups import process_dirty_days

BASE = datetime(2026, 11, 16, tzinfo=UTC)

calls_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4 * 24 * 60 - 1),  # minute within four days
        st.sampled_from(["gpt-4o", "claude-haiku-4-5", None]),
        st.sampled_from(["search", "billing", None]),
        st.sampled_from(["acme", "globex", None]),
        st.integers(min_value=0, max_value=50_000),  # input tokens
        st.integers(min_value=0, max_value=5_000),  # output tokens
        st.one_of(st.none(), st.decimals(min_value=0, max_value=5, places=10)),  # cost, None = unpriced
        st.booleans(),  # error
    ),
    max_size=60,
)


def insert_calls(conn: psycopg.Connection, project_id: int, calls: list[tuple]) -> None:
    with conn.cursor().copy(
        "COPY llm_calls (project_id, trace_id, span_id, start_time, end_time, model, team, customer,"
        " input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens,"
        " reasoning_tokens, usage_raw, sources, dialect, is_batch, cost_total, cost_input, error_type) FROM STDIN"
    ) as copy:
        for minute, model, team, customer, input_tokens, output_tokens, cost, error in calls:
            start = BASE + timedelta(minutes=minute)
            copy.write_row((
                project_id, secrets.token_hex(16), secrets.token_hex(8), start, start, model, team, customer,
                input_tokens, input_tokens // 3, 0, 0, output_tokens, 0, "{}", "{}", "genai", False, cost, cost,
                "TimeoutError" if error else None,
            ))  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=calls_strategy)
def test_rollups_equal_direct_aggregation(db: str, calls: list[tuple]) -> None:
    with psycopg.connect(libpq_url(db), autocommit=True) as conn:
        conn.execute("TRUNCATE llm_calls, rollup_calls_daily, rollup_calls_hourly, rollup_dirty_days")
        insert_calls(conn, 1, calls)
        # what ingestion and assembly do: mark the calls' days dirty
        conn.execute(
            "INSERT INTO rollup_dirty_days (project_id, day) SELECT DISTINCT project_id,"
            " (start_time AT TIME ZONE 'UTC')::date FROM llm_calls ON CONFLICT DO NOTHING"
        )
    process_dirty_days(db)
    measures = (
        "count(*)::bigint, sum(input_tokens)::bigint, sum(cache_read_tokens)::bigint, sum(output_tokens)::bigint,"
        " coalesce(sum(cost_total), 0), count(*) FILTER (WHERE cost_total IS NULL)::bigint,"
        " count(*) FILTER (WHERE error_type IS NOT NULL)::bigint"
    )
    rolled = (
        "sum(calls)::bigint, sum(input_tokens)::bigint, sum(cache_read_tokens)::bigint, sum(output_tokens)::bigint,"
        " sum(cost_total), sum(unpriced_calls)::bigint, sum(errors)::bigint"
    )
    with psycopg.connect(libpq_url(db)) as conn:
        direct_daily = conn.execute(
            f"SELECT (start_time AT TIME ZONE 'UTC')::date, model, team, customer, {measures} FROM llm_calls"
            " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
        ).fetchall()
        daily = conn.execute(
            f"SELECT day, model, team, customer, {rolled} FROM rollup_calls_daily"
            " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
        ).fetchall()
        direct_hourly = conn.execute(
            f"SELECT date_trunc('hour', start_time, 'UTC'), model, team, {measures} FROM llm_calls"
            " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ).fetchall()
        hourly = conn.execute(
            f"SELECT hour, model, team, {rolled} FROM rollup_calls_hourly GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ).fetchall()
        rolled_total = conn.execute("SELECT coalesce(sum(cost_total), 0) FROM rollup_calls_daily").fetchone()[0]
    assert daily == direct_daily
    assert hourly == direct_hourly
    # and the money reconciles exactly with the generated calls
    assert rolled_total == sum((call[6] for call in calls if call[6] is not None), Decimal(0))
