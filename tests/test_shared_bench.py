"""`pmsim bench` has issue 14's shared-market entries with their targets (timings are reported,
not asserted)."""

from __future__ import annotations

from pmsim import bench


def test_shared_market_entries_are_registered_with_their_targets():
    bench._load_modules()
    b = bench.BENCHMARKS
    assert b["shared_round_30"].target_s == 1.0
    assert b["shared_round_30_1m"].target_s == 3.0
    assert b["class_status"].target_s == 0.3


def test_shared_round_30_resolves_a_quarter_of_thirty_companies():
    bench._load_modules()
    row = bench.run("shared_round_30")
    assert row["companies"] == 30 and row["population"] == 120_000 and row["runs"] == 5
    assert row["median_s"] > 0 and row["meets_target"] is (row["median_s"] <= 1.0)
