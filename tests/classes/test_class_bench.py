"""`class_report_200` is registered with `pmsim bench` and reports what it expects (timings are
not asserted: they depend on the machine)."""

from __future__ import annotations

from pmsim import bench
from pmsim.commands.classes import bench_class_report


def test_registered_with_pmsim_bench():
    bench._load_modules()
    b = bench.BENCHMARKS["class_report_200"]
    assert b.target_s == 5.0 and b.func is bench_class_report


def test_bench_shape_on_a_small_class():
    row = bench_class_report(n_games=12, runs=1)
    assert row["games"] == 12 and row["runs"] == 1 and row["median_s"] > 0
