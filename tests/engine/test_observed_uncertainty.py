"""The engine says how uncertain each company-wide estimate is (the TUI's dashboard and help read it
instead of pooling the segments' errors themselves, issue 15)."""

from __future__ import annotations

import math

from pmsim.engine import EndRound, new_game
from pmsim.engine.observe import PULSE_N, observed_metrics


def test_a_company_wide_estimate_carries_the_pooled_error_of_its_segments(saas_small):
    game = new_game(saas_small, 3)
    for _ in range(2):
        game.apply(EndRound())
    for idx in range(len(game.state.metrics)):
        m = observed_metrics(game, idx)
        segs = m["segments"]
        assert len(segs) >= 2
        w = [s["customers"] / sum(x["customers"] for x in segs) for s in segs]
        # a customer-weighted mean's error: the segments' errors, weighted and added in quadrature
        assert math.isclose(m["nps_se"], math.sqrt(sum((wi * s["nps_se"]) ** 2 for wi, s in zip(w, segs, strict=True))))
        assert math.isclose(m["market_share_se"],
                            math.sqrt(sum((wi * s["market_share_se"]) ** 2 for wi, s in zip(w, segs, strict=True))))
        assert math.isclose(m["satisfaction_se"], 0.25 / math.sqrt(PULSE_N) * math.sqrt(sum(wi**2 for wi in w)))
        # pooling narrows: the company-wide error is below the widest segment's
        assert 0 < m["nps_se"] < max(s["nps_se"] for s in segs)
        # telemetry is exact: no error to report
        assert not {"customers_se", "revenue_se", "churn_rate_se", "activation_rate_se"} & set(m)


def test_the_dashboard_shows_the_engines_error(saas_small):
    from pmsim.tui.widgets.dashboard import metrics_table

    class View:  # what metrics_table reads of a GameView
        obs = {"metrics": [observed_metrics(new_game(saas_small, 3), 0)]}

    m = View.obs["metrics"][0]
    m["nps_se"] = 4.0  # the table prints what the engine says, not its own pooling
    cells = [str(c) for c in metrics_table(View).columns[2].cells]
    assert "±8" in cells and f"±{196 * m['market_share_se']:.1f}pp" in cells
