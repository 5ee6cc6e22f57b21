"""`pmsim bench` reports issue 13's entries with their targets (timings are not asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmsim import bench
from pmsim.commands import bench as command_bench  # registers the engine and CLI benchmarks


def test_issue_13_entries_are_registered_with_their_targets():
    bench._load_modules()
    b = bench.BENCHMARKS
    assert b["game_default"].target_s == 0.045
    assert b["balance_default"].target_s == 20.0
    assert b["teach_100"].target_s == 45.0
    assert b["round_1m"].target_ratio == 4.0
    assert b["replay_game"].target_s == 0.1
    assert b["review_save"].target_s == 0.8 and b["export_portfolio"].target_s == 0.8
    assert b["validate_scenario"].target_s == 0.3  # issue 12's target


def test_game_default_times_a_researcher_game():
    row = bench.run("game_default")
    assert row["strategy"] == "researcher" and row["scenario"] == "b2b_saas"
    assert row["median_s"] > 0 and row["runs"] == 7 and row["target_s"] == 0.045
    assert row["meets_target"] is (row["median_s"] <= 0.045)
    assert row["cpu_s"] > 0  # CPU time too: what a loaded machine changes least


def test_commands_are_timed_on_the_sample_save_and_a_failure_is_not_a_time(tmp_path):
    save = command_bench._sample_save(str(tmp_path))
    assert Path(save).name == "b2b_saas-researcher-seed1.pmsave.json" and Path(save).is_file()
    command_bench._command("review", save)()  # runs, exit 0
    with pytest.raises(RuntimeError, match="exited 2"):
        command_bench._command("review", str(tmp_path / "missing.pmsave.json"))()


def test_cpu_time_counts_this_process_and_its_finished_children():
    import subprocess
    import sys

    spin = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    cpu: list[float] = []
    walls = bench.timed(lambda: subprocess.run([sys.executable, "-c", spin], check=True), runs=1, warmup=0, cpu=cpu)
    assert len(cpu) == 1 and cpu[0] >= 0.3 and walls[0] >= 0.3  # the child's CPU is counted
    cpu.clear()
    bench.timed(lambda: sum(range(10)), runs=3, warmup=1, cpu=cpu)
    assert len(cpu) == 3 and all(0 <= c < 0.3 for c in cpu)


def test_replay_and_the_big_round_report_their_cpu_time_too():
    from pmsim.storage.bench import bench_replay_game

    row = bench_replay_game(runs=1, warmup=0)
    assert row["rounds"] == 8 and row["median_s"] > 0 and row["cpu_s"] > 0
    big = bench.run("round_1m")
    assert big["population"] == 1_000_000 and big["cpu_s"] > 0 and big["ratio"] > 0
