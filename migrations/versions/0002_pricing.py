"""pricing: price versions, call costs, recost requests and runs, job runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:15:10.335060
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("job_name", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows_touched", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("job_runs_pkey")),
    )
    op.create_index("ix_job_runs_job_name_started_at", "job_runs", ["job_name", "started_at"], unique=False)
    op.create_table(
        "price_versions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("aliases", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("patterns", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=True),
        sa.Column("kind", sa.String(length=16), server_default="chat", nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False),
        sa.Column("input", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("cache_read", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("cache_write", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("cache_write_1h", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("output", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("reasoning", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("long_context_threshold", sa.BigInteger(), nullable=True),
        sa.Column("long_context_input", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("long_context_cache_read", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("long_context_cache_write", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("long_context_cache_write_1h", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("long_context_output", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("long_context_reasoning", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("batch_discount", sa.Numeric(precision=6, scale=5), nullable=True),
        sa.Column("request_fee", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("open_weight", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "batch_discount IS NULL OR batch_discount BETWEEN 0 AND 1",
            name=op.f("price_versions_batch_discount_fraction_check"),
        ),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from",
            name=op.f("price_versions_effective_window_check"),
        ),
        sa.CheckConstraint(
            "input >= 0 AND output >= 0 AND coalesce(cache_read, 0) >= 0 AND coalesce(cache_write, 0) >= 0 AND coalesce(cache_write_1h, 0) >= 0 AND coalesce(reasoning, 0) >= 0",
            name=op.f("price_versions_prices_non_negative_check"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("price_versions_pkey")),
        sa.UniqueConstraint(
            "project_id",
            "provider",
            "model",
            "effective_from",
            name=op.f("price_versions_project_id_provider_model_effective_from_key"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index("ix_price_versions_model", "price_versions", ["model"], unique=False)
    op.create_table(
        "pricing_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("pricing_revision_single_row_check")),
        sa.PrimaryKeyConstraint("id", name=op.f("pricing_revision_pkey")),
    )
    op.create_table(
        "recost_requests",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("models", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("recost_requests_pkey")),
    )
    op.create_table(
        "recost_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("models", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("calls_examined", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("calls_changed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cost_before", sa.Numeric(precision=24, scale=10), nullable=True),
        sa.Column("cost_after", sa.Numeric(precision=24, scale=10), nullable=True),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("recost_runs_pkey")),
    )
    op.add_column("llm_calls", sa.Column("cost_input", sa.Numeric(precision=20, scale=10), nullable=True))
    op.add_column("llm_calls", sa.Column("cost_cache_read", sa.Numeric(precision=20, scale=10), nullable=True))
    op.add_column("llm_calls", sa.Column("cost_cache_write", sa.Numeric(precision=20, scale=10), nullable=True))
    op.add_column("llm_calls", sa.Column("cost_cache_write_1h", sa.Numeric(precision=20, scale=10), nullable=True))
    op.add_column("llm_calls", sa.Column("cost_output", sa.Numeric(precision=20, scale=10), nullable=True))
    op.add_column("llm_calls", sa.Column("cost_reasoning", sa.Numeric(precision=20, scale=10), nullable=True))
    op.add_column("llm_calls", sa.Column("cost_request_fee", sa.Numeric(precision=20, scale=10), nullable=True))
    op.add_column("llm_calls", sa.Column("cost_total", sa.Numeric(precision=20, scale=10), nullable=True))
    op.add_column("llm_calls", sa.Column("currency", sa.String(length=3), nullable=True))
    op.add_column("llm_calls", sa.Column("price_version_id", sa.BigInteger(), nullable=True))
    op.add_column("llm_calls", sa.Column("price_tier", sa.String(length=16), nullable=True))
    op.create_index("ix_llm_calls_start_time", "llm_calls", ["start_time"], unique=False, postgresql_using="brin")


def downgrade() -> None:
    op.drop_index("ix_llm_calls_start_time", table_name="llm_calls", postgresql_using="brin")
    op.drop_column("llm_calls", "price_tier")
    op.drop_column("llm_calls", "price_version_id")
    op.drop_column("llm_calls", "currency")
    op.drop_column("llm_calls", "cost_total")
    op.drop_column("llm_calls", "cost_request_fee")
    op.drop_column("llm_calls", "cost_reasoning")
    op.drop_column("llm_calls", "cost_output")
    op.drop_column("llm_calls", "cost_cache_write_1h")
    op.drop_column("llm_calls", "cost_cache_write")
    op.drop_column("llm_calls", "cost_cache_read")
    op.drop_column("llm_calls", "cost_input")
    op.drop_table("recost_runs")
    op.drop_table("recost_requests")
    op.drop_table("pricing_revision")
    op.drop_index("ix_price_versions_model", table_name="price_versions")
    op.drop_table("price_versions")
    op.drop_index("ix_job_runs_job_name_started_at", table_name="job_runs")
    op.drop_table("job_runs")
