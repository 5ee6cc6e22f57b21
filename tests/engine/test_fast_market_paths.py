"""Paths of the faster market step (issue 13) that the step-against-the-plain-step tests do not
reach with the built-in scenarios: the logit choice among 128 options or more (counted in int64,
not in bytes), the one-comparison test for users over every status code, and `_weighted` with
per-segment coefficients against the per-customer formula."""

from __future__ import annotations

import numpy as np
import pytest

from pmsim.engine import detmath, market
from pmsim.engine.population import COMP0, NONE, OURS, TRIAL


def _plain_pick(utils: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    plain = utils - utils.max(axis=0)
    cum = np.cumsum(detmath.exp(plain), axis=0)
    return (uniform * cum[-1] >= cum).sum(axis=0)


@pytest.mark.parametrize("options", [2, 127, 128, 300])
def test_logit_pick_counts_rows_exactly_for_any_number_of_options(options):
    rng = np.random.default_rng(options)
    utils = rng.normal(0.0, 0.05, (options, 4000))  # near-equal options: picks spread over all rows
    uniform = rng.random(4000)
    uniform[:3] = [0.0, 0.999999999, 0.5]
    want = _plain_pick(utils, uniform)
    got = detmath.logit_pick(utils.copy(), uniform)
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert want.max() >= min(options - 1, 127)  # the counts reach past what a byte could hold when there are rows for it


def test_users_are_trials_and_customers_for_every_status_code():
    status = np.arange(-128, 128, dtype=np.int8)
    want = (status == OURS) | (status == TRIAL)
    assert np.array_equal(market._is_user(status), want)
    assert not market._is_user(np.array([NONE, COMP0, COMP0 + 5], np.int8)).any()


def test_weighted_by_segment_is_the_per_customer_sum():
    rng = np.random.default_rng(7)
    t, m = 9, 1000
    w = rng.random((t, m)).astype(np.float32)
    coef = rng.normal(0.0, 3.0, (t, 4)).astype(np.float32)
    seg = np.sort(rng.integers(0, 4, m))
    seg[seg == 2] = 3  # a segment with nobody in it
    cut = np.searchsorted(seg, np.arange(5))
    per = coef.take(seg, axis=1)
    want = w[0] * per[0]
    for k in range(1, t):
        want = want + w[k] * per[k]
    got = market._weighted(w, coef, cut)
    assert got.tobytes() == want.tobytes()
    kept = w.copy()
    assert market._weighted(kept, coef, cut, kept).tobytes() == want.tobytes()  # in place, the same
