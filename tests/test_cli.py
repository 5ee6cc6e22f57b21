"""The `pmsim` command: scenario listing, batch simulation, clean errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmsim.cli import COMMANDS, cli
from pmsim.engine.bots import STRATEGIES
from pmsim.engine.simulate import game_seed, run_batch
from pmsim.scenario.builtin import (
    DEFAULT_SCENARIO,
    UnknownScenario,
    builtin_paths,
    list_builtin,
    resolve,
)
from pmsim.scenario.loader import load_scenario


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_scenarios_list_json_shape():
    res = invoke("scenarios", "list", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert isinstance(rows, list) and rows
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids) and DEFAULT_SCENARIO in ids
    for r in rows:
        assert set(r) == {"id", "title", "path", "rounds", "difficulty"}
        assert Path(r["path"]).is_file()
        assert isinstance(r["rounds"], int) and r["difficulty"] in ("easy", "medium", "hard")


def test_scenarios_list_human():
    res = invoke("scenarios", "list")
    assert res.exit_code == 0
    assert DEFAULT_SCENARIO in res.stdout


def test_builtin_ids_match_file_names():
    """resolve() finds a built-in by file name, so meta.id must equal the file's stem."""
    for path in builtin_paths():
        assert load_scenario(path).meta.id == path.stem
    assert [r["id"] for r in list_builtin()] == [p.stem for p in builtin_paths()]


def test_resolve():
    assert resolve(DEFAULT_SCENARIO).name == f"{DEFAULT_SCENARIO}.yaml"
    path = builtin_paths()[0]
    assert resolve(str(path)) == path
    with pytest.raises(UnknownScenario) as exc:
        resolve("no_such_scenario")
    assert DEFAULT_SCENARIO in exc.value.lines()[0]


def test_simulate_json_is_byte_identical():
    args = ["simulate", "--games", "2", "--strategy", "rice,random", "--seed", "7", "--json"]
    a, b = invoke(*args), invoke(*args)
    assert a.exit_code == 0 and b.exit_code == 0
    assert a.stdout == b.stdout
    assert a.stderr == ""  # no progress bar when not on a terminal
    out = json.loads(a.stdout)
    assert set(out) == {"scenario", "games", "seed", "strategies"}
    assert (out["scenario"], out["games"], out["seed"]) == (DEFAULT_SCENARIO, 2, 7)
    assert list(out["strategies"]) == ["rice", "random"]
    for s in out["strategies"].values():
        assert set(s) == {"mean", "sd", "p10", "p50", "p90", "components"}
        assert 0 <= s["p10"] <= s["p50"] <= s["p90"] <= 100
        assert s["components"] and all(0 <= v <= 1 for v in s["components"].values())


def test_simulate_table():
    res = invoke("simulate", "--games", "1", "--strategy", "rice")
    assert res.exit_code == 0
    assert "rice" in res.stdout and "mean" in res.stdout


def test_game_seeds_are_shared_by_strategies_and_stable():
    assert game_seed(0, 0) == game_seed(0, 0)
    assert len({game_seed(s, i) for s in range(3) for i in range(50)}) == 150
    assert all(0 <= game_seed(2**63 - 1, i) < 2**63 for i in range(5))


def test_run_batch_parallel_matches_serial():
    sc = load_scenario(resolve(DEFAULT_SCENARIO))
    seen = []
    serial = run_batch(sc, ["rice"], 2, 3, progress=seen.append)
    assert sum(seen) == 2
    assert run_batch(sc, ["rice"], 2, 3, jobs=2) == serial


def test_bad_scenario_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("meta:\n  id: x\n  title: [unclosed\n")
    res = invoke("simulate", "--scenario", str(bad), "--games", "1", "--strategy", "rice")
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{bad}:") and lines[0].split(":")[1].isdigit()


def test_validate(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("meta: {id: x, title: t}\nrounds: many\n")
    res = invoke("scenarios", "validate", str(bad))
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"{bad}:2:" in res.stdout and ": error: " in res.stdout
    good = invoke("scenarios", "validate", str(builtin_paths()[0]))
    assert good.exit_code == 0


def test_unknown_scenario_id():
    res = invoke("simulate", "--scenario", "no_such_scenario", "--games", "1", "--strategy", "rice")
    assert res.exit_code == 2
    assert "no_such_scenario" in res.stderr and DEFAULT_SCENARIO in res.stderr
    assert "Traceback" not in res.output


def test_unknown_strategy():
    res = invoke("simulate", "--strategy", "rice,genius", "--games", "1")
    assert res.exit_code == 2
    assert "genius" in res.stderr and "oracle" in res.stderr


def test_all_strategies_keyword():
    from pmsim.engine.simulate import parse_strategies

    assert parse_strategies("all") == list(STRATEGIES)
    assert parse_strategies("rice,all") == ["rice", *[s for s in STRATEGIES if s != "rice"]]


def test_lazy_commands_resolve():
    for name in COMMANDS:
        res = invoke(name, "--help")
        assert res.exit_code == 0, (name, res.output)


def test_simulate_save_stores_every_game_as_a_bot_player(tmp_path):
    db = f"sqlite:///{tmp_path}/sim.sqlite3"
    res = invoke("simulate", "--scenario", "tutorial", "--strategy", "rice,hippo", "--games", "2",
                 "--seed", "4", "--json", "--save", "--db", db)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    listed = json.loads(invoke("saves", "list", "--json", "--db", db).stdout)
    assert sorted(s["player"] for s in listed) == ["bot:hippo", "bot:hippo", "bot:rice", "bot:rice"]
    assert all(s["status"] == "finished" for s in listed)
    rice = [s["score"] for s in listed if s["player"] == "bot:rice"]
    assert abs(sum(rice) / 2 - summary["strategies"]["rice"]["mean"]) < 1e-3


def test_the_top_level_help_names_every_subcommand_of_a_group():
    """`pmsim --help` is where a newcomer looks (it shows these summaries before any command is
    imported): each group's summary names its subcommands."""
    import click

    from pmsim.cli import SUMMARIES

    for group in ("class", "scenarios", "saves"):
        cmd = cli.get_command(click.Context(cli), group)
        assert [name for name in cmd.commands if name not in SUMMARIES[group]] == [], group
    assert "--company NAME" in SUMMARIES["play"] and "--shared" in SUMMARIES["simulate"]


def test_the_strategy_help_names_every_bot_and_every_ablation():
    # it listed the five first bots only, when analyst, spiker and the ablations all run
    from pmsim.commands.common import STRATEGY_HELP
    from pmsim.engine.bots import BEHAVIOURS

    for args in (["simulate", "--help"], ["class", "add-bots", "--help"]):
        text = " ".join(invoke(*args).output.split())
        for name in STRATEGIES:
            assert f" {name}," in text or f" {name} " in text, (args, name)
    for b in BEHAVIOURS:
        assert f"-{b}" in STRATEGY_HELP, b


def test_every_command_and_option_has_help():
    # `class report --format`, `serve --port` and the --seed of balance and teach had none
    import click

    missing = []

    def walk(cmd, path):
        ctx = click.Context(cmd)
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), [*path, name])
        if not (cmd.help or cmd.short_help):
            missing.append(" ".join(path))
        missing.extend(f"{' '.join(path)} {p.opts[0]}" for p in cmd.params
                       if isinstance(p, click.Option) and not p.hidden and not p.help)

    walk(cli, ["pmsim"])
    assert missing == []


def _crash(monkeypatch, tmp_path):
    def boom(*args, **kwargs):
        raise ValueError("max() arg is an empty sequence")

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PMSIM_TRACEBACK", raising=False)
    monkeypatch.setattr("pmsim.scenario.builtin.list_builtin", boom)


def test_a_bug_is_one_line_and_a_crash_file_never_a_traceback(monkeypatch, tmp_path, capsys):
    # the last resort behind every command: an exception no command handled is a bug in pmsim
    # (the hippo bot on a scenario without stakeholders was one): one line naming it and a file
    # holding the traceback, exit 70, instead of a traceback over the user's screen
    from pmsim.cli import main

    _crash(monkeypatch, tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["scenarios", "list"])
    assert exit_.value.code == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "internal error" in err and "ValueError: max() arg is an empty sequence" in err
    [crash] = (tmp_path / "data" / "pmsim" / "crashes").glob("pmsim-crash-*.txt")
    assert str(crash) in err
    assert "Traceback" in crash.read_text() and "boom" in crash.read_text()


def test_pmsim_traceback_shows_the_traceback_of_a_bug(monkeypatch, tmp_path):
    from pmsim.cli import main

    _crash(monkeypatch, tmp_path)
    monkeypatch.setenv("PMSIM_TRACEBACK", "1")
    with pytest.raises(ValueError, match="empty sequence"):
        main(["scenarios", "list"])


def test_a_bug_that_cannot_say_what_it_is_is_still_one_line(monkeypatch, tmp_path, capsys):
    from pmsim.cli import main

    class Mute(Exception):
        def __str__(self):
            raise RuntimeError("str broke")

    def boom(*args, **kwargs):
        raise Mute()

    _crash(monkeypatch, tmp_path)
    monkeypatch.setattr("pmsim.scenario.builtin.list_builtin", boom)
    with pytest.raises(SystemExit) as exit_:
        main(["scenarios", "list"])
    assert exit_.value.code == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "Mute" in err
