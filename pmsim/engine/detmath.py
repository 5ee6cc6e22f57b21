"""Arithmetic that gives the same bits on every machine.

IEEE 754 makes +, -, *, /, sqrt, floor and ldexp exact-by-definition (correctly rounded), but
transcendental functions (numpy's exp and log, BLAS reductions) may use different SIMD kernels on
different CPUs and differ in the last bit. A one-ulp difference in a probability that is compared
with a uniform draw can flip a customer's decision and change the state hash. So everything that
feeds a random comparison or the state hash uses only the functions below, built from exact
operations, and population attributes are quantized to a grid when they are drawn.
"""

from __future__ import annotations

import numpy as np

_LN2_HI = 0.693145751953125
_LN2_LO = 1.42860682030941723212e-06
_INV_LN2 = 1.4426950408889634
# Taylor coefficients 1/k! for k = 0..11: on |r| <= ln2/2 the error is below 1e-15.
_COEFFS = [1.0 / float(np.prod(np.arange(1, k + 1), dtype=np.float64)) if k else 1.0 for k in range(12)]


def exp(x):
    """exp(x) for float64 scalars or arrays, from exact operations only (relative error < 1e-14)."""
    x = np.clip(np.asarray(x, dtype=np.float64), -700.0, 700.0)
    k = np.floor(x * _INV_LN2 + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = np.full_like(r, _COEFFS[-1])
    for c in reversed(_COEFFS[:-1]):
        p = p * r + c
    out = np.ldexp(p, k.astype(np.int64))
    return out if out.ndim else float(out)


def sigmoid(x):
    """1 / (1 + exp(-x)) with the deterministic exp."""
    return 1.0 / (1.0 + exp(-np.asarray(x, dtype=np.float64)))


# quantize works through big arrays a block of columns at a time, in one reused scratch array: a
# float64 copy of a whole population's needs is megabytes of fresh memory, and the page faults
# of touching it cost more than the arithmetic
_BLOCK = 8192


def quantize(a, step: float = 1.0 / 4096.0, dtype=np.float32):
    """Snap values to a grid so that one-ulp differences from a platform's libm disappear.

    `floor(a / step + 0.5) * step` in float64, then cast to `dtype`: computed a block of columns at
    a time in one scratch array (the same operations on every element, so the same bits)."""
    if np.ndim(a) == 0:
        return (np.floor(np.asarray(a, dtype=np.float64) / step + 0.5) * step).astype(dtype)
    a = np.asarray(a)
    n = a.shape[-1]
    if a.ndim > 2 or n <= _BLOCK:
        return _quantize_block(a, step, np.empty(a.shape), dtype)
    out = np.empty(a.shape, dtype)
    scratch = np.empty(a.shape[:-1] + (_BLOCK,))
    for j in range(0, n, _BLOCK):
        k = min(n - j, _BLOCK)
        out[..., j:j + k] = _quantize_block(a[..., j:j + k], step, scratch[..., :k])
    return out


def _quantize_block(a, step: float, x: np.ndarray, dtype=None):
    np.divide(a, step, out=x, dtype=np.float64)
    x += 0.5
    np.floor(x, out=x)
    x *= step
    return x if dtype is None else x.astype(dtype)


def qfloat(x: float, step: float = 1e-9) -> float:
    """Quantize a Python float for hashing and display (exact operations only)."""
    return float(np.floor(x / step + 0.5) * step)


# ---------------------------------------------------------------------- fast paths, same bits
# The platform's exp (numpy's, SIMD or libm) is within a few ulps of the true value, and `exp`
# above within 1e-14 of it, so the two agree to far better than 1e-12. Where a result is only
# used through a decision that is insensitive to such a difference (a value snapped to a grid, a
# comparison with a uniform draw), the fast exp decides, and only the rare elements within
# MARGIN of the decision's edge are recomputed with `exp`: the decision is then exactly the one
# `exp` makes, on every machine, at a fraction of the cost.
MARGIN = 1e-7


def fast_sigmoid(x: np.ndarray) -> np.ndarray:
    """`1.0 / (1.0 + exp(-x))` with the platform's exp (fresh float64 array, the same operations
    in place): what `below` and `quantized_sigmoid` decide with."""
    v = np.negative(x, dtype=np.float64)
    np.clip(v, -700.0, 700.0, out=v)
    np.exp(v, out=v)
    v += 1.0
    return np.divide(1.0, v, out=v)


def quantized_sigmoid(x: np.ndarray, shift: float, step: float = 1.0 / 4096.0, margin: float = MARGIN,
                      dtype=np.float32) -> np.ndarray:
    """`quantize(np.clip(sigmoid(x) + shift, 0.0, 1.0), step, dtype)`, bit for bit, fast.

    `shift` is a float (or a float64 scalar, or one per element). The value snapped to the grid is decided by
    the platform's exp unless it lies within `margin` grid steps of a rounding edge, where it is
    recomputed with `sigmoid`."""
    x = np.asarray(x, dtype=np.float64)
    t = fast_sigmoid(x)
    t += shift
    np.clip(t, 0.0, 1.0, out=t)
    t /= step
    t += 0.5
    k = np.floor(t)
    frac = np.subtract(t, k, out=t)
    edge = frac < margin
    edge |= frac > 1.0 - margin
    edge = np.flatnonzero(edge)
    if edge.size:
        exact = np.clip(sigmoid(x[edge]) + (shift[edge] if np.ndim(shift) else shift), 0.0, 1.0)
        k[edge] = np.floor(np.asarray(exact, dtype=np.float64) / step + 0.5)
    k *= step
    return k.astype(dtype)


def below_sigmoid(draw: np.ndarray, x: np.ndarray, margin: float = MARGIN) -> np.ndarray:
    """`draw < sigmoid(x)` (compared as float64), bit for bit, fast (see quantized_sigmoid)."""
    x = np.asarray(x, dtype=np.float64)
    return below(draw, fast_sigmoid(x), x, margin)


def below(draw: np.ndarray, s: np.ndarray, x: np.ndarray, margin: float = MARGIN) -> np.ndarray:
    """`below_sigmoid(draw, x)` given `s = fast_sigmoid(x)` (made once for many comparisons)."""
    d = np.asarray(draw, dtype=np.float64)
    out = d < s
    near = np.subtract(d, s)
    np.abs(near, out=near)
    edge = np.flatnonzero(near < margin)
    if edge.size:
        out[edge] = d[edge] < sigmoid(np.asarray(x, dtype=np.float64)[edge])
    return out


def logit_pick(utils: np.ndarray, uniform: np.ndarray, margin: float = MARGIN) -> np.ndarray:
    """Multinomial logit choice: the index picked in each column of `utils` (options, m) with
    uniforms (m,) in [0, 1), as

        e = exp(utils - utils.max(axis=0)); cum = np.cumsum(e, axis=0)
        pick = (uniform * cum[-1] >= cum).sum(axis=0)

    computes it with `exp`, bit for bit. `utils` is changed in place."""
    utils -= utils.max(axis=0)
    np.clip(utils, -700.0, 700.0, out=utils)  # as `exp` clips: its values are the same on these
    cum = _cumsum_rows(np.exp(utils))
    last = cum[-1].copy()
    u2 = uniform * last
    diff = np.subtract(u2[None, :], cum, out=cum)
    ge = diff >= 0.0
    # how many rows each column's uniform reaches: counted in bytes when they cannot overflow
    pick = (ge.view(np.int8).sum(axis=0, dtype=np.int8) if ge.shape[0] < 128 else ge.sum(axis=0)).astype(np.int64)
    # cum is at least 1 (one option's exp is exactly 1): an absolute margin is a relative one
    last *= margin
    np.abs(diff, out=diff)
    edge = np.flatnonzero((diff < last).any(axis=0))
    if edge.size:
        c = _cumsum_rows(exp(utils[:, edge]))
        pick[edge] = (uniform[edge] * c[-1] >= c).sum(axis=0)
    return pick


def _cumsum_rows(e: np.ndarray) -> np.ndarray:
    """`np.cumsum(e, axis=0)` (which adds row after row, in order), with whole rows at a time."""
    for k in range(1, e.shape[0]):
        e[k] += e[k - 1]
    return e
