"""Classes: a `classes` table (a class run: scenario text, seed, join code), and on `saves` the
class a save belongs to and the game summary stored when it finishes.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01

Both new `saves` columns are nullable, so an existing database upgrades in place: its saves keep
every row and belong to no class (a class report replays a finished save that has no summary).

PostgreSQL adds the columns with ALTER TABLE. SQLite can add a column with an inline REFERENCES,
but then neither SQLAlchemy's reflection nor Alembic see its ON DELETE rule, so `saves` is
rebuilt instead (SQLite's documented way to change a table). The rebuild runs inside the
migration's transaction, where foreign keys cannot be switched off, so dropping the old table
would cascade into `actions` and `rounds`: every row of the three tables is kept aside in
temporary tables and put back, and AUTOINCREMENT's high-water mark is kept (ids never reused).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _saves_columns(with_class: bool) -> list[sa.Column]:
    """The `saves` table of revision 0001, plus the two new columns of 0002 if `with_class`."""
    cols = [
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("player", sa.String(200), nullable=False),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("scenario_title", sa.String(500), nullable=False),
        sa.Column("scenario_text", sa.Text(), nullable=False),
        sa.Column("scenario_sha256", sa.String(64), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("engine_version", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("n_actions", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("saves.id", ondelete="SET NULL"), nullable=True),
        sa.Column("forked_round", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]
    if with_class:
        cols += [
            sa.Column("class_id", sa.Integer(), sa.ForeignKey("classes.id", ondelete="SET NULL"), nullable=True),
            sa.Column("summary", sa.Text(), nullable=True),
        ]
    return cols


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("scenario_title", sa.String(500), nullable=False),
        sa.Column("scenario_text", sa.Text(), nullable=False),
        sa.Column("scenario_sha256", sa.String(64), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_saves(with_class=True)
    else:
        op.add_column("saves", sa.Column("class_id", sa.Integer(), nullable=True))
        op.create_foreign_key(None, "saves", "classes", ["class_id"], ["id"], ondelete="SET NULL")
        op.add_column("saves", sa.Column("summary", sa.Text(), nullable=True))
    op.create_index("ix_saves_class_id", "saves", ["class_id"])
    op.execute("UPDATE pmsim_meta SET value = '2' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_index("ix_saves_class_id", table_name="saves")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_saves(with_class=False)
    else:
        op.drop_column("saves", "summary")
        op.drop_column("saves", "class_id")  # drops its foreign key with it
    op.drop_table("classes")
    op.execute("UPDATE pmsim_meta SET value = '1' WHERE key = 'schema_version'")


def _rebuild_sqlite_saves(with_class: bool) -> None:
    conn = op.get_bind()
    old_seq = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'saves'").scalar()
    for table in ("saves", "actions", "rounds"):
        op.execute(f"CREATE TEMP TABLE pmsim_keep_{table} AS SELECT * FROM {table}")
    for table in ("rounds", "actions", "saves"):
        op.execute(f"DELETE FROM {table}")
    op.drop_table("saves")
    op.create_table("saves", *_saves_columns(with_class), sqlite_autoincrement=True)
    kept = [c.name for c in _saves_columns(False)]  # the columns both versions have
    names = ", ".join(kept)
    # one statement: SQLite checks the parent_id foreign key at its end, whatever the row order
    op.execute(f"INSERT INTO saves ({names}) SELECT {names} FROM pmsim_keep_saves ORDER BY id")
    for table in ("actions", "rounds"):
        op.execute(f"INSERT INTO {table} SELECT * FROM pmsim_keep_{table}")
    for table in ("saves", "actions", "rounds"):
        op.execute(f"DROP TABLE pmsim_keep_{table}")
    if old_seq is not None:  # a deleted save's id is never handed out again
        if conn.exec_driver_sql("SELECT count(*) FROM sqlite_sequence WHERE name = 'saves'").scalar():
            op.execute(f"UPDATE sqlite_sequence SET seq = max(seq, {int(old_seq)}) WHERE name = 'saves'")
        else:
            op.execute(f"INSERT INTO sqlite_sequence (name, seq) VALUES ('saves', {int(old_seq)})")
