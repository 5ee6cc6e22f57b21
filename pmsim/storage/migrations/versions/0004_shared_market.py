"""A shared market (issue 14): a class whose companies compete for the same customers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Four new tables and nothing else: an existing database upgrades in place and keeps every row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_markets",
        sa.Column("class_id", sa.Integer(), sa.ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("companies", sa.Integer(), nullable=False),
        sa.Column("engine_version", sa.String(32), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("n_actions", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "shared_companies",
        sa.Column("class_id", sa.Integer(), sa.ForeignKey("shared_markets.class_id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("idx", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("committed_round", sa.Integer(), nullable=True),
        sa.UniqueConstraint("class_id", "name_key"),
    )
    op.create_table(
        "shared_actions",
        sa.Column("class_id", sa.Integer(), sa.ForeignKey("shared_markets.class_id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("company", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "shared_rounds",
        sa.Column("class_id", sa.Integer(), sa.ForeignKey("shared_markets.class_id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("round", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("advanced", sa.Integer(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute("UPDATE pmsim_meta SET value = '4' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_table("shared_rounds")
    op.drop_table("shared_actions")
    op.drop_table("shared_companies")
    op.drop_table("shared_markets")
    op.execute("UPDATE pmsim_meta SET value = '3' WHERE key = 'schema_version'")
