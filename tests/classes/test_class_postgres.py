"""A class on a real PostgreSQL server (a throwaway one, see tests/storage/conftest.py): create it,
three students play, the report comes from the stored summaries; and revision 0002 upgrades a
version-1 PostgreSQL database in place."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from class_helpers import SEED, play_students, small_text
from click.testing import CliRunner
from sqlalchemy import text

from pmsim.cli import cli
from pmsim.commands.class_reports import report_from_db
from pmsim.reports.classreport import render_html
from pmsim.storage import migrate
from pmsim.storage.models import Base
from pmsim.storage.saves import SaveStore
from pmsim.storage.session import record_bot_game


def test_a_class_on_postgresql(pg_fresh_url, tmp_path):
    scen = tmp_path / "small.yaml"
    scen.write_text(small_text(), encoding="utf-8")
    r = CliRunner().invoke(cli, ["class", "create", "--scenario", str(scen), "--seed", str(SEED),
                                 "--name", "PM 101 (server)", "--db", pg_fresh_url])
    assert r.exit_code == 0, r.output
    assert "postgresql+psycopg://postgres@127.0.0.1" in r.output and "file on this computer" not in r.output
    code = r.output.split("Created class ")[1].split(":")[0]
    with SaveStore(pg_fresh_url) as store:
        with store._engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        ids, playing = play_students(store, code, [("Ada", "rice"), ("Ada", "hippo"), ("Grace", "random")],
                                     ("Ken", "rice", 1))
        assert [s.id for s in store.class_saves(code)] == [*ids, playing]
        rep = report_from_db(store, code)
    assert sorted(e.label for e in rep.entries) == ["Ada (1)", "Ada (2)", "Grace"]
    assert [r.player for r in rep.rejected] == ["Ken"]
    assert render_html(rep).count('class="seg"') == 3 * 7
    r = CliRunner().invoke(cli, ["class", "report", code, "--format", "csv", "--db", pg_fresh_url])
    assert r.exit_code == 0 and r.stdout.count(",counted,") == 3 and ",rejected," in r.stdout
    r = CliRunner().invoke(cli, ["class", "list", "--db", pg_fresh_url])
    assert code in r.stdout and "PM 101 (server)" in r.stdout


def test_a_version_1_postgresql_database_upgrades_in_place(pg_fresh_url):
    with SaveStore(pg_fresh_url) as store:
        sid = record_bot_game(store, small_text(), 11, "rice")
        fork = store.fork(sid, 2)
        with store._w.connect() as conn, conn.begin():
            command.downgrade(migrate.alembic_config(conn), "0001")
        with store._engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
            n_actions = conn.execute(text("SELECT count(*) FROM actions")).scalar()
    with SaveStore(pg_fresh_url) as store:
        with store._engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == migrate.HEAD
            assert conn.execute(text("SELECT count(*) FROM actions")).scalar() == n_actions
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert [s.id for s in store.list()] == [sid, fork] and store.info(fork).parent_id == sid
        assert store.verify(sid).ok and store.verify(fork).ok
        klass = store.create_class("after the upgrade", small_text(), 11)
        assert store.class_games(klass.code)[1] == []
