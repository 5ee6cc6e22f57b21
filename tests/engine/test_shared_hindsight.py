"""In a shared market the debrief's hindsight optimum takes the rival companies' actual launches
as given (issue 14): a rival's shipped feature raises its theme scores in the comparison, like a
scripted competitor's move, in the truth's gap values the hindsight and the ledger read."""

from __future__ import annotations

import numpy as np

from pmsim.engine import EndRound
from pmsim.engine.bots import play_round
from pmsim.engine.scoring import hindsight
from pmsim.engine.shared import SharedGame
from pmsim.engine.worth import comp_best_true


def _market(sc, rival: str | None) -> SharedGame:
    """Company "idle" never builds; company "rival" plays `rival` (None: idles too)."""
    game = SharedGame(sc, 8, ["idle", "rival"])
    while not game.finished:
        game.apply(0, EndRound())
        if rival is None:
            game.apply(1, EndRound())
        else:
            play_round(game.companies[1], rival)
    return game


def test_the_rivals_launches_enter_the_comparison_and_the_hindsight(saas_small):
    busy, quiet = _market(saas_small, "researcher"), _market(saas_small, None)
    idle, idle_q = busy.companies[0], quiet.companies[0]
    rival = busy.companies[1]
    assert rival.state.shipped and not idle.state.shipped
    rounds = saas_small.rounds
    for u in range(1, rounds + 1):
        best = comp_best_true(idle, u)
        # per segment: the scripted competitors' best, or the rival's product as the market saw it
        assert best.shape == idle._c["g0"].shape
        assert np.array_equal(best, np.maximum(comp_best_true(idle_q, u), busy.products[u - 1][1]))
    # what the rival shipped raised its scores above where the quiet rival stayed
    assert (busy.products[-1][1] > quiet.products[-1][1] + 1e-9).any()
    # the idle company's own game is the same in both markets but for its rival: its best
    # roadmap in hindsight is worth more where the rival launched (gaps to close), not less
    hs, hs_q = hindsight(idle), hindsight(idle_q)
    assert sum(hs["benefit"]) > sum(hs_q["benefit"])
    # and its score compares against that: customer impact is the share of it it delivered
    assert idle.score()["components"]["customer_impact"] <= idle_q.score()["components"]["customer_impact"]


def test_one_company_keeps_the_solo_comparison(saas_small):
    game = SharedGame(saas_small, 8, ["solo"])
    assert game.companies[0].rival_scores(1) is None and game.products == []
    assert comp_best_true(game.companies[0], 1).ndim == 1
