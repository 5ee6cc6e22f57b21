"""The storage benchmarks run and report what `pmsim bench` expects (timings are not asserted)."""

from __future__ import annotations

from pmsim.storage.bench import bench_replay_game, bench_save_action


def test_benchmarks_report_their_shape():
    for result, name in ((bench_save_action(runs=10), "save_action"),
                         (bench_replay_game(runs=1, strategy="rice", warmup=0), "replay_game")):
        assert result["name"] == name
        assert result["median_s"] > 0 and result["target_s"] > 0
