"""The costs of delay made from parts kept per round and beliefs (worth._true_parts,
_believed_parts, _prior_parts: each gap and table-stake sum made once for the quarters from this
round and from the next) are the plain `_cost_of_delay` of the values made afresh, bit for bit,
and follow every change of what they read: research that moves beliefs mid-round, shipping,
launches, a new round, and a caller changing the state directly."""

from __future__ import annotations

import numpy as np
import pytest

from pmsim.engine import EndRound, Research, new_game, worth
from pmsim.engine.bots import play_round
from pmsim.engine.shared import SharedGame


def _bits(a: np.ndarray) -> bytes:
    return a.dtype.str.encode() + repr(a.shape).encode() + a.tobytes()


def _plain(game, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(cost of delay, worth over the rest of the game) made afresh, by the plain functions."""
    g = game.theme_scores()
    if kind == "true":
        q, m = game.true_values(), worth._true_must(game)
        gap = lambda qs: worth._gap_true(game, qs, g)  # noqa: E731
        stakes = lambda qs: worth._stakes_true_over_of(game, qs)  # noqa: E731
    elif kind == "believed":
        q, m = worth._believed(game), worth._believed_must(game)
        gap = lambda qs: worth._gap_believed(game, qs, g)  # noqa: E731
        stakes = lambda qs: worth._stakes_believed_over_of(game, qs)  # noqa: E731
    else:
        q, m = worth._prior_values(game), worth._prior_must(game)
        gap = lambda qs: worth._gap_prior(game, qs, g)  # noqa: E731
        stakes = lambda qs: worth._stakes_prior_over_of(game, qs)  # noqa: E731
    return worth._cost_of_delay(game, q, m, gap, stakes), worth._worth_from(game, game.round, q, m, gap, stakes)


def _same_as_plain(game) -> None:
    for kind, delay in (("true", worth.true_delay), ("believed", worth.believed_delay), ("prior", worth.prior_delay)):
        want_delay, want_worth = _plain(game, kind)
        assert _bits(delay(game)) == _bits(want_delay), kind
        if kind == "true":
            assert _bits(worth.true_remaining(game)) == _bits(want_worth)
        if kind == "believed":
            assert _bits(worth.believed_remaining(game)) == _bits(want_worth)
    assert _bits(worth.believed(game)) == _bits(worth._believed(game))
    assert _bits(worth.believed_must(game)) == _bits(worth._believed_must(game))


@pytest.mark.parametrize("strategy", ["researcher", "analyst", "spiker", "analyst-no-musthaves", "oracle"])
def test_the_costs_of_delay_are_the_plain_ones_after_every_action(builtin_small, strategy, monkeypatch):
    from pmsim.engine.game import Game

    game = new_game(builtin_small, 3)
    apply = Game.apply
    seen = []

    def checked(self, action):
        out = apply(self, action)
        if not self.finished:
            _same_as_plain(self)
        seen.append(type(action).__name__)
        return out

    monkeypatch.setattr(Game, "apply", checked)
    _same_as_plain(game)
    while not game.finished:
        play_round(game, strategy)
    assert "Research" in seen or strategy == "oracle"


def test_research_mid_round_changes_the_believed_cost_of_delay(saas_small):
    """Each study that moves a belief (a survey's needs, interviews' Kano votes, a usability
    test's impact guess, a competitive analysis's rivals and launches found coming) changes the
    believed cost of delay asked again in the same round; a kept one would not."""
    game = new_game(saas_small, 4)
    seg = saas_small.segment_ids()[0]
    fid = saas_small.features[0].id
    studies = [Research("survey", segment=seg, n=300), Research("interviews", segment=seg, n=10),
               Research("usability_test", feature=fid, n=5), Research("competitive_analysis")]
    for study in studies:
        before = worth.believed_delay(game)
        game.apply(study)
        after = worth.believed_delay(game)
        assert _bits(after) != _bits(before), study.method
        _same_as_plain(game)


def test_a_state_changed_directly_is_followed(saas_small):
    """What the kept parts read, changed in place by a caller (not through an action): each
    change is seen at the next ask."""
    game = new_game(saas_small, 6)
    play_round(game, "analyst")
    st = game.state
    b = st.beliefs
    fid = next(f.id for f in saas_small.features if st.features[f.id].status == "backlog")
    theme = saas_small.features[game.fidx(fid)].theme
    other = next(f.id for f in saas_small.features if f.id != fid and st.features[f.id].status == "backlog"
                 and f.theme != theme)

    def need():
        b.need_mean[0, 0] += 0.05

    def votes():
        b.kano_votes[0, game.fidx(fid), 0] += 4

    def guess():
        st.features[fid].impact_guess *= 1.7

    def rivals():
        b.comp_mean[0, :] = 0.9

    def found():
        b.known_moves.append({"competitor": saas_small.market.competitors[0].id, "round": st.round + 1,
                              "theme": theme, "delta": 0.3, "feature": fid})

    def news():
        st.public_moves.append({"competitor": 0, "theme": game.themes.index(theme), "delta": 0.2,
                                "round": st.round, "feature": None})

    def renamed():  # the launch in the news names another feature: that one is the table stake
        st.public_moves[-1]["feature"] = other

    def resized():  # the launch found coming is smaller than first thought
        b.known_moves[-1]["delta"] = -0.6

    def launch():
        st.launches.append({"competitor": 0, "theme": game.themes.index(theme), "delta": 0.2,
                            "round": st.round, "feature": fid})

    def ship():
        st.features[fid].status = "shipped"
        st.features[fid].shipped_round = st.round
        st.shipped.append(fid)

    def next_round():
        st.round += 1

    for change in (need, votes, guess, rivals, found, resized, news, renamed, launch, ship, next_round):
        kept = {k: f(game) for k, f in (("t", worth.true_delay), ("b", worth.believed_delay), ("p", worth.prior_delay))}
        change()
        _same_as_plain(game)
        now = {k: f(game) for k, f in (("t", worth.true_delay), ("b", worth.believed_delay), ("p", worth.prior_delay))}
        assert any(_bits(kept[k]) != _bits(now[k]) for k in kept), change.__name__


def test_kept_parts_cannot_be_changed_by_a_caller(saas_small):
    game = new_game(saas_small, 2)
    for f in (worth.true_delay, worth.believed_delay, worth.prior_delay, worth.believed_remaining,
              worth.true_remaining, worth.believed, worth.believed_must):
        f(game)[:] = 1e9  # the caller's own array
    _same_as_plain(game)
    quarterly, must, gaps, stakes = worth._believed_parts(game)
    with pytest.raises(ValueError):
        gaps[0][0] = 5.0


def test_the_kept_parts_follow_a_shared_markets_rivals(saas_small):
    """In a shared market the truth's gaps read the rival companies' products (rivals_key): a
    rival's launch, resolved by the market, is seen by the other company's cost of delay."""
    game = SharedGame(saas_small, 8, ["idle", "rival"])
    idle = game.companies[0]
    while not game.finished:
        _same_as_plain(idle)
        game.apply(0, EndRound())
        play_round(game.companies[1], "researcher")
    assert game.companies[1].state.shipped


def test_the_kept_parts_follow_the_round_alone(saas_small):
    """A new round with the same theme scores (here held fixed: a must-be's growing cost
    usually moves them too) still counts the quarters from the new round."""
    game = new_game(saas_small, 6)
    play_round(game, "analyst")
    fixed = game.theme_scores()
    game.theme_scores = lambda: fixed.copy()  # this game's own, as the protocol reads it
    kept = [worth.true_delay(game), worth.believed_delay(game), worth.prior_delay(game)]
    game.state.round += 1
    _same_as_plain(game)
    now = [worth.true_delay(game), worth.believed_delay(game), worth.prior_delay(game)]
    assert all(_bits(a) != _bits(b) for a, b in zip(kept, now, strict=True))
