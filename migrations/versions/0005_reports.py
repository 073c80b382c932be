"""reports: stored reports, allocation rules, attribution mappings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:52:46.835770
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "allocation_rules",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("selector_field", sa.String(length=32), nullable=True),
        sa.Column("selector_value", sa.Text(), nullable=True),
        sa.Column("monthly_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("method", sa.String(length=16), server_default="proportional", nullable=False),
        sa.Column("percentages", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("allocation_rules_pkey")),
        sa.UniqueConstraint("project_id", "name", name=op.f("allocation_rules_project_id_name_key")),
    )
    op.create_table(
        "attribution_mappings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("source_field", sa.String(length=32), nullable=False),
        sa.Column("source_value", sa.Text(), nullable=False),
        sa.Column("target_field", sa.String(length=32), nullable=False),
        sa.Column("target_value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("attribution_mappings_pkey")),
        sa.UniqueConstraint(
            "project_id",
            "source_field",
            "source_value",
            "target_field",
            name=op.f("attribution_mappings_project_id_source_field_source_value_target_field_key"),
        ),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("variant", sa.Text(), server_default="", nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("reports_pkey")),
        sa.UniqueConstraint(
            "project_id",
            "kind",
            "period_start",
            "variant",
            name=op.f("reports_project_id_kind_period_start_variant_key"),
        ),
    )
    op.create_index("ix_reports_project_id_created_at", "reports", ["project_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reports_project_id_created_at", table_name="reports")
    op.drop_table("reports")
    op.drop_table("attribution_mappings")
    op.drop_table("allocation_rules")
