"""The class server: a roster of students with hashed PINs (`class_students`), and which saves
were played on the class server (`server_games`, marked verified in class reports).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Two new tables and nothing else: an existing database upgrades in place and keeps every row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "class_students",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("class_id", sa.Integer(), sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("pin_hash", sa.String(300), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("class_id", "name_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_class_students_class_id", "class_students", ["class_id"])
    op.create_table(
        "server_games",
        sa.Column("save_id", sa.Integer(), sa.ForeignKey("saves.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("student_id", sa.Integer(), sa.ForeignKey("class_students.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_server_games_student_id", "server_games", ["student_id"])
    op.execute("UPDATE pmsim_meta SET value = '3' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_index("ix_server_games_student_id", table_name="server_games")
    op.drop_table("server_games")
    op.drop_index("ix_class_students_class_id", table_name="class_students")
    op.drop_table("class_students")
    op.execute("UPDATE pmsim_meta SET value = '2' WHERE key = 'schema_version'")
