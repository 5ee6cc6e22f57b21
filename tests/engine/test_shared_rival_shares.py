"""A company of a shared market sees each rival's market share over the quarters (issue 14: the
dashboard's share chart), estimated to the nearest percent as now, never its own through it."""

from __future__ import annotations

from pmsim.engine.bots import play_round
from pmsim.engine.shared import SharedGame


def test_rival_shares_are_every_quarter_to_the_nearest_percent_without_your_own(saas_small):
    game = SharedGame(saas_small, 5, ["a", "b", "c"])
    for _ in range(2):
        for company, strategy in zip(game.companies, ["researcher", "hippo", "random"], strict=True):
            play_round(company, strategy)
    seen = game.rival_shares(1)
    assert [r["company"] for r in seen] == ["a", "c"]
    for r, g in zip(seen, (game.companies[0], game.companies[2]), strict=True):
        truth = [float(m["market_share"]) for m in g.state.metrics]
        assert len(r["shares"]) == len(truth) == 3  # Q0, Q1, Q2
        assert r["shares"] == [round(x, 2) for x in truth]
        assert all(abs(x - y) <= 0.005 + 1e-9 for x, y in zip(r["shares"], truth, strict=True))
    # the latest entry is the share `rivals` shows now
    assert [r["shares"][-1] for r in seen] == [r["share_estimate"] for r in game.rivals(1)]
    assert game.observe(1)["rival_shares"] == seen
    assert game.rival_shares(0)[0]["company"] == "b"
