"""workflows: runs, outcomes, trace mapping, rollups

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:25:55.917948
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rollup_calls_daily",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("model_tier", sa.String(length=16), nullable=True),
        sa.Column("agent_name", sa.Text(), nullable=True),
        sa.Column("workflow_name", sa.Text(), nullable=True),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("cost_center", sa.Text(), nullable=True),
        sa.Column("feature", sa.Text(), nullable=True),
        sa.Column("customer", sa.Text(), nullable=True),
        sa.Column("environment", sa.Text(), nullable=True),
        sa.Column("service_name", sa.Text(), nullable=True),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.Column("retries", sa.BigInteger(), nullable=False),
        sa.Column("batch_calls", sa.BigInteger(), nullable=False),
        sa.Column("unpriced_calls", sa.BigInteger(), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_read_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_write_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_write_1h_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("reasoning_tokens", sa.BigInteger(), nullable=False),
        sa.Column("max_prompt_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost_input", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_cache_read", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_cache_write", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_cache_write_1h", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_output", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_reasoning", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_request_fee", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_total", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("reported_cost", sa.Numeric(precision=24, scale=10), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("rollup_calls_daily_pkey")),
    )
    op.create_index("ix_rollup_calls_daily_project_id_day", "rollup_calls_daily", ["project_id", "day"], unique=False)
    op.create_table(
        "rollup_calls_hourly",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("model_tier", sa.String(length=16), nullable=True),
        sa.Column("agent_name", sa.Text(), nullable=True),
        sa.Column("workflow_name", sa.Text(), nullable=True),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.Column("retries", sa.BigInteger(), nullable=False),
        sa.Column("batch_calls", sa.BigInteger(), nullable=False),
        sa.Column("unpriced_calls", sa.BigInteger(), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_read_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_write_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_write_1h_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("reasoning_tokens", sa.BigInteger(), nullable=False),
        sa.Column("max_prompt_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost_input", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_cache_read", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_cache_write", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_cache_write_1h", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_output", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_reasoning", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_request_fee", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("cost_total", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("reported_cost", sa.Numeric(precision=24, scale=10), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("rollup_calls_hourly_pkey")),
    )
    op.create_index(
        "ix_rollup_calls_hourly_project_id_hour", "rollup_calls_hourly", ["project_id", "hour"], unique=False
    )
    op.create_table(
        "rollup_dirty_days",
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "day", name=op.f("rollup_dirty_days_pkey")),
    )
    op.create_table(
        "rollup_workflows_daily",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("workflow_name", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("cost_center", sa.Text(), nullable=True),
        sa.Column("feature", sa.Text(), nullable=True),
        sa.Column("customer", sa.Text(), nullable=True),
        sa.Column("environment", sa.Text(), nullable=True),
        sa.Column("runs", sa.BigInteger(), nullable=False),
        sa.Column("successful_runs", sa.BigInteger(), nullable=False),
        sa.Column("failed_runs", sa.BigInteger(), nullable=False),
        sa.Column("unknown_runs", sa.BigInteger(), nullable=False),
        sa.Column("open_runs", sa.BigInteger(), nullable=False),
        sa.Column("llm_calls", sa.BigInteger(), nullable=False),
        sa.Column("steps", sa.BigInteger(), nullable=False),
        sa.Column("retries", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.Column("tool_calls", sa.BigInteger(), nullable=False),
        sa.Column("tool_output_chars", sa.BigInteger(), nullable=False),
        sa.Column("total_tokens", sa.BigInteger(), nullable=False),
        sa.Column("max_context_tokens", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("unpriced_calls", sa.BigInteger(), nullable=False),
        sa.Column("cost_total", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("successful_cost", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("rollup_workflows_daily_pkey")),
    )
    op.create_index(
        "ix_rollup_workflows_daily_project_id_day",
        "rollup_workflows_daily",
        ["project_id", "day"],
        unique=False,
    )
    op.create_table(
        "workflow_dirty_traces",
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "trace_id", name=op.f("workflow_dirty_traces_pkey")),
    )
    op.create_table(
        "workflow_outcomes",
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "run_id", name=op.f("workflow_outcomes_pkey")),
    )
    op.create_table(
        "workflow_runs",
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_source", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("outcome_source", sa.String(length=32), nullable=False),
        sa.Column("trace_ids", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("root_seen", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("llm_calls", sa.Integer(), nullable=False),
        sa.Column("unpriced_calls", sa.Integer(), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("tool_calls", sa.Integer(), nullable=False),
        sa.Column("tool_output_chars", sa.BigInteger(), nullable=False),
        sa.Column("max_context_tokens", sa.BigInteger(), nullable=False),
        sa.Column("agents", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("models", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_read_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_write_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_write_1h_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("reasoning_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost_input", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("cost_cache_read", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("cost_cache_write", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("cost_cache_write_1h", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("cost_output", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("cost_reasoning", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("cost_request_fee", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("cost_total", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("cost_center", sa.Text(), nullable=True),
        sa.Column("feature", sa.Text(), nullable=True),
        sa.Column("customer", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Text(), nullable=True),
        sa.Column("environment", sa.Text(), nullable=True),
        sa.Column("service_name", sa.Text(), nullable=True),
        sa.Column("attribution_conflicts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("assembled_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "run_id", name=op.f("workflow_runs_pkey")),
    )
    op.create_index(
        "ix_workflow_runs_project_id_cost_total",
        "workflow_runs",
        ["project_id", sa.text("cost_total DESC"), "run_id"],
        unique=False,
    )
    op.create_index(
        "ix_workflow_runs_open",
        "workflow_runs",
        ["project_id", "last_received_at"],
        unique=False,
        postgresql_where="status = 'open'",
    )
    op.create_index(
        "ix_workflow_runs_project_id_name_started_at",
        "workflow_runs",
        ["project_id", "name", "started_at"],
        unique=False,
    )
    op.create_index(
        "ix_workflow_runs_project_id_started_at", "workflow_runs", ["project_id", "started_at"], unique=False
    )
    op.create_table(
        "workflow_traces",
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "trace_id", name=op.f("workflow_traces_pkey")),
    )
    op.create_index("ix_workflow_traces_project_id_run_id", "workflow_traces", ["project_id", "run_id"], unique=False)
    op.add_column("llm_calls", sa.Column("is_retry", sa.Boolean(), server_default="false", nullable=False))


def downgrade() -> None:
    op.drop_column("llm_calls", "is_retry")
    op.drop_index("ix_workflow_traces_project_id_run_id", table_name="workflow_traces")
    op.drop_table("workflow_traces")
    op.drop_index("ix_workflow_runs_project_id_started_at", table_name="workflow_runs")
    op.drop_index("ix_workflow_runs_project_id_name_started_at", table_name="workflow_runs")
    op.drop_index("ix_workflow_runs_project_id_cost_total", table_name="workflow_runs")
    op.drop_index("ix_workflow_runs_open", table_name="workflow_runs", postgresql_where="status = 'open'")
    op.drop_table("workflow_runs")
    op.drop_table("workflow_outcomes")
    op.drop_table("workflow_dirty_traces")
    op.drop_index("ix_rollup_workflows_daily_project_id_day", table_name="rollup_workflows_daily")
    op.drop_table("rollup_workflows_daily")
    op.drop_table("rollup_dirty_days")
    op.drop_index("ix_rollup_calls_hourly_project_id_hour", table_name="rollup_calls_hourly")
    op.drop_table("rollup_calls_hourly")
    op.drop_index("ix_rollup_calls_daily_project_id_day", table_name="rollup_calls_daily")
    op.drop_table("rollup_calls_daily")
