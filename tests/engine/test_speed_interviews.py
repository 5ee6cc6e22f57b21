"""Interviews made faster (issue 13) are the interviews they were: the same quotes, Kano votes
and draws as the loop over customers they replaced (kept here as the reference)."""

from __future__ import annotations

import numpy as np
import pytest

from pmsim.engine import new_game, research, text
from pmsim.engine.actions import Research
from pmsim.engine.bots import play_round
from pmsim.engine.population import OURS
from pmsim.engine.rng import stream
from pmsim.engine.values import VOTE_ACCURACY
from pmsim.scenario.builtin import builtin_ids, resolve
from pmsim.scenario.loader import load_scenario


def _interviews_ref(game, a, rng):
    """research._interviews as it was before issue 13 (names made at once)."""
    st = game.state
    sc = game.scenario
    si = game.scenario.segment_ids().index(a.segment)
    idx = research._sample(game, si, a.n, rng)
    kano = game.true_kano()
    g = game.theme_scores()[si]
    seg = sc.market.segments[si]
    quotes = []
    used: set[str] = set()
    votes = st.beliefs.kano_votes
    for ci in idx:
        need = st.pop.needs[:, ci]
        top = [int(t) for t in np.argsort(-need.astype(np.float64), kind="stable")[:2]]
        for fi, f in enumerate(sc.features):
            if game.themes.index(f.theme) not in top:
                continue
            true = kano[si, fi]
            if rng.random() < VOTE_ACCURACY:
                vote = true
            else:
                others = [c for c in range(5) if c != true]
                vote = others[int(rng.integers(4))]
            votes[si, fi, vote] += 1
        phrase = theme = None
        for t in top:
            th = sc.market.themes[t]
            weak = g[t] < 0.5
            phrases = text.phrases(th, seg.persona, weak)
            fresh = [q for q in (text.fill(p, th.name) for p in phrases) if q not in used]
            if fresh:
                phrase, theme = fresh[int(rng.integers(len(fresh)))], th
                break
        if phrase is None:
            continue
        used.add(phrase)
        who = text.customer(st.seed, seg.persona, int(ci))
        quotes.append({"name": who["name"], "company": who["company"], "job": who["job"],
                       "theme": theme.id, "text": phrase, "customer": int(ci),
                       "is_customer": bool(st.pop.status[ci] == OURS)})
    st.beliefs.interview_n[si] += a.n
    return {"quotes": quotes, "summary": f"{a.n} interviews in {seg.name}"}


@pytest.mark.parametrize("sid", builtin_ids())
def test_interviews_are_the_loop_they_replaced(sid):
    sc = load_scenario(resolve(sid))
    sc = sc.model_copy(update={"market": sc.market.model_copy(update={"population": 4000})})
    game = new_game(sc, 11)
    for _ in range(2):  # a few quarters in: shipped features, launches, customers of ours
        play_round(game, "analyst")
    for seg in sc.market.segments:
        for n in (1, 12, 40):
            a = Research("interviews", segment=seg.id, n=n)
            mine, ref = game.copy(), game.copy()
            r1, r2 = stream(5, "research", n), stream(5, "research", n)
            got = research._interviews(mine, a, r1)
            want = _interviews_ref(ref, a, r2)
            assert got == want and [list(q.items()) for q in got["quotes"]] == [list(q.items()) for q in want["quotes"]]
            assert np.array_equal(mine.state.beliefs.kano_votes, ref.state.beliefs.kano_votes)
            assert r1.bit_generator.state == r2.bit_generator.state  # the same draws, all of them
