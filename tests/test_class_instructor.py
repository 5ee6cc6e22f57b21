"""Instructor tools for a class: reference bot games on the class's seed, shown apart; feature
titles in reports; an empty plan is not called over-committed. Real CLI, real SQLite database."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmsim.cli import cli

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "pmsim" / "scenario" / "template.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture()
def klass(tmp_path):
    from pmsim.engine import EndRound
    from pmsim.engine.bots import play_game
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.session import GameSession

    db = f"sqlite:///{tmp_path}/class.sqlite3"
    out = run("class", "create", "--scenario", str(TEMPLATE), "--seed", "11", "--name", "PM 101", "--db", db)
    assert out.exit_code == 0, out.output
    code = re.search(r"Created class (PM-\w{4})", out.stdout)[1]
    with SaveStore(db) as store:
        idle = GameSession.start_class(store, code, "Ada")  # plans nothing, ever
        while not idle.game.finished:
            idle.apply(EndRound())
        grace = GameSession.start_class(store, code, "Grace")
        play_game(grace, "rice")
    return db, code, grace.game.score()["score"]


def test_add_bots_plays_the_class_seed_and_reports_them_apart(klass):
    db, code, grace_score = klass
    out = run("class", "add-bots", code, "--strategy", "rice,random", "--db", db)
    assert out.exit_code == 0, out.output
    assert re.search(r"^bot:rice: [\d.]+ points \(save \d+\)$", out.stdout, re.M)
    again = run("class", "add-bots", code, "--strategy", "rice", "--db", db)
    assert again.exit_code == 0 and "bot:rice: already in class" in again.stdout

    from pmsim.storage.saves import SaveStore

    with SaveStore(db) as store:
        klass_info, games = store.class_games(code)
        bots = {g.info.player: g for g in games if g.info.player.startswith("bot:")}
        assert set(bots) == {"bot:rice", "bot:random"}
        for g in bots.values():
            assert g.info.seed == klass_info.seed == 11 and g.scenario_sha256 == klass_info.scenario_sha256
            assert g.info.status == "finished"
        # the same bot on the same seed and scenario as a student who played like it: the same game
        assert bots["bot:rice"].summary["score"] == pytest.approx(grace_score)

    md = run("class", "report", code, "--db", db).stdout
    board = md[md.index("## Leaderboard"):md.index("## Reference games")]
    assert "bot:" not in board and "Grace" in board and "Ada" in board
    ref = md[md.index("## Reference games (bots, not ranked)"):md.index("## Common mistakes")]
    assert "| bot:rice |" in ref and "| bot:random |" in ref
    assert "2 games counted, 0 rejected, 2 reference bot games apart." in md
    assert "of 2 |" in md  # mistakes are counted over the students only

    rows = list(csv.DictReader(io.StringIO(run("class", "report", code, "--format", "csv", "--db", db).stdout)))
    assert {r["student"]: r["status"] for r in rows} == {
        "Grace": "counted", "Ada": "counted", "bot:rice": "reference", "bot:random": "reference"}
    page = run("class", "report", code, "--format", "html", "--db", db).stdout
    assert "<h2>Reference games (bots, not ranked)</h2>" in page and "bot:random" in page


def test_reports_show_feature_titles_not_ids(klass):
    db, code, _ = klass
    md = run("class", "report", code, "--db", db).stdout
    decisions = md[md.index("## Decisions per round"):]
    assert "Setup wizard" in decisions or "Single sign-on" in decisions
    for fid in ("setup_wizard", "dashboards", "audit_log", "a11y_pass", "sso"):
        assert not re.search(rf"\b{fid}\b", decisions), fid
    page = run("class", "report", code, "--format", "html", "--db", db).stdout
    assert "setup_wizard" not in page and "Setup wizard" in page


def test_an_empty_plan_is_not_called_over_committed(klass):
    db, code, _ = klass
    md = run("class", "report", code, "--db", db).stdout
    ada = md[md.index("### Ada"):]
    ada = ada[:ada.index("\n### ")] if "\n### " in ada else ada
    assert "planned nothing: no work was committed in any round" in ada
    assert "over-committed" not in ada


def test_idle_rounds_and_real_slips_are_told_apart():
    from pmsim.reports.classreport import report_mistakes

    def summary(rounds):
        return {"rounds": [{"round": i + 1, "committed_est": c, "delivered_est": d, "value_of_information": 0}
                           for i, (c, d) in enumerate(rounds)],
                "studies": 9, "stakeholders": [], "requests": {"ignored": 0, "broken": 0},
                "unmet_must_be": [], "components": {"delivery": 0.5}, "okrs": []}

    assert report_mistakes(summary([(10, 10), (0, 0), (0, 0)])) == ["idle_rounds"]
    assert report_mistakes(summary([(10, 4), (10, 5)])) == ["slipped"]
    assert report_mistakes(summary([(0, 0), (0, 0)])) == ["planned_nothing"]
