"""collector core: projects, api keys, resources, spans, llm calls

Revision ID: 0001
Revises:
Create Date: 2026-11-23 13:50:40.846912
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "llm_calls",
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=False),
        sa.Column("span_id", sa.String(length=16), nullable=False),
        sa.Column("parent_span_id", sa.String(length=16), nullable=True),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("request_model", sa.Text(), nullable=True),
        sa.Column("response_model", sa.Text(), nullable=True),
        sa.Column("operation", sa.Text(), nullable=True),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_read_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_write_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_write_1h_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("reasoning_tokens", sa.BigInteger(), nullable=False),
        sa.Column("usage_raw", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sources", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("dialect", sa.String(length=32), nullable=False),
        sa.Column("reported_cost", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("max_tokens", sa.BigInteger(), nullable=True),
        sa.Column("finish_reasons", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("error_type", sa.Text(), nullable=True),
        sa.Column("is_batch", sa.Boolean(), nullable=False),
        sa.Column("workflow_name", sa.Text(), nullable=True),
        sa.Column("workflow_id", sa.Text(), nullable=True),
        sa.Column("agent_name", sa.Text(), nullable=True),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("cost_center", sa.Text(), nullable=True),
        sa.Column("feature", sa.Text(), nullable=True),
        sa.Column("customer", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Text(), nullable=True),
        sa.Column("session_id", sa.Text(), nullable=True),
        sa.Column("environment", sa.Text(), nullable=True),
        sa.Column("service_name", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "input_tokens >= 0 AND cache_read_tokens >= 0 AND cache_write_tokens >= 0 AND cache_write_1h_tokens >= 0 AND output_tokens >= 0 AND reasoning_tokens >= 0",
            name=op.f("llm_calls_tokens_non_negative_check"),
        ),
        sa.PrimaryKeyConstraint("project_id", "trace_id", "span_id", name=op.f("llm_calls_pkey")),
        postgresql_with={"fillfactor": 90},
    )
    op.create_index(
        "ix_llm_calls_project_id_model_start_time",
        "llm_calls",
        ["project_id", "model", "start_time"],
        unique=False,
    )
    op.create_index("ix_llm_calls_project_id_start_time", "llm_calls", ["project_id", "start_time"], unique=False)
    op.create_index(
        "ix_llm_calls_project_id_workflow_id",
        "llm_calls",
        ["project_id", "workflow_id"],
        unique=False,
        postgresql_where="workflow_id IS NOT NULL",
    )
    op.create_index(
        "ix_llm_calls_project_id_workflow_name_start_time",
        "llm_calls",
        ["project_id", "workflow_name", "start_time"],
        unique=False,
    )
    op.create_index("ix_llm_calls_received_at", "llm_calls", ["received_at"], unique=False, postgresql_using="brin")
    op.create_table(
        "projects",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("projects_pkey")),
        sa.UniqueConstraint("name", name=op.f("projects_name_key")),
    )
    op.create_table(
        "resources",
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("resource_hash", sa.BigInteger(), nullable=False),
        sa.Column("attributes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "resource_hash", name=op.f("resources_pkey")),
    )
    op.create_table(
        "spans",
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=False),
        sa.Column("span_id", sa.String(length=16), nullable=False),
        sa.Column("parent_span_id", sa.String(length=16), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("otel_kind", sa.SmallInteger(), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_name", sa.Text(), nullable=True),
        sa.Column("scope_name", sa.Text(), nullable=True),
        sa.Column("resource_hash", sa.BigInteger(), nullable=False),
        sa.Column("output_chars", sa.Integer(), nullable=True),
        sa.Column("attributes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("span_id ~ '^[0-9a-f]{16}$'", name=op.f("spans_span_id_hex_check")),
        sa.CheckConstraint("trace_id ~ '^[0-9a-f]{32}$'", name=op.f("spans_trace_id_hex_check")),
        sa.PrimaryKeyConstraint("project_id", "trace_id", "span_id", name=op.f("spans_pkey")),
    )
    op.create_index("ix_spans_project_id_start_time", "spans", ["project_id", "start_time"], unique=False)
    op.create_index("ix_spans_received_at", "spans", ["received_at"], unique=False, postgresql_using="brin")
    op.create_index(
        "ix_spans_llm_parent",
        "spans",
        ["project_id", "trace_id", "parent_span_id"],
        unique=False,
        postgresql_where="kind = 'llm'",
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("api_keys_project_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("api_keys_pkey")),
        sa.UniqueConstraint("key_hash", name=op.f("api_keys_key_hash_key")),
    )
    op.create_index(op.f("ix_api_keys_project_id"), "api_keys", ["project_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_api_keys_project_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_index("ix_spans_llm_parent", table_name="spans", postgresql_where="kind = 'llm'")
    op.drop_index("ix_spans_received_at", table_name="spans", postgresql_using="brin")
    op.drop_index("ix_spans_project_id_start_time", table_name="spans")
    op.drop_table("spans")
    op.drop_table("resources")
    op.drop_table("projects")
    op.drop_index("ix_llm_calls_received_at", table_name="llm_calls", postgresql_using="brin")
    op.drop_index("ix_llm_calls_project_id_workflow_name_start_time", table_name="llm_calls")
    op.drop_index(
        "ix_llm_calls_project_id_workflow_id",
        table_name="llm_calls",
        postgresql_where="workflow_id IS NOT NULL",
    )
    op.drop_index("ix_llm_calls_project_id_start_time", table_name="llm_calls")
    op.drop_index("ix_llm_calls_project_id_model_start_time", table_name="llm_calls")
    op.drop_table("llm_calls")
